"""Staff accounts of the web application: roles and permissions, Argon2id passwords, TOTP
second factor with recovery codes, browser sessions and API tokens. Service functions here are
called by the web routes and by the `amparo user` / `amparo token` commands alike."""
