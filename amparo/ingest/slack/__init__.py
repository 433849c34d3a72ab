"""Slack workspace export (zip or folder): `users.json`, `channels.json` (and `groups.json`,
`dms.json`, `mpims.json` in exports that include private conversations), and one folder per
conversation holding one `YYYY-MM-DD.json` list of messages per day.

Slack's markup (`<@U123>`, `<#C123|name>`, `<https://x|label>`, `<!here>`, `&lt;`) is turned
into readable text; the original is kept in `extra["raw_text"]`. Standard exports carry file
metadata and private URLs but not the files, so attachments are marked omitted unless a copy
(slackdump's `__uploads/<id>/<name>` or `attachments/<id>-<name>`) is in the source.
"""

from __future__ import annotations

from amparo.ingest.slack.importer import SlackImporter
from amparo.ingest.slack.layout import META_FILES
from amparo.ingest.slack.workspace import SYSTEM_SUBTYPES

__all__ = ["META_FILES", "SYSTEM_SUBTYPES", "SlackImporter"]
