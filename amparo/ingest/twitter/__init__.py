"""X/Twitter account archive: the folder or zip that "Download an archive of your data" gives,
or one of its `.js` files on its own.

Every data file is a JavaScript assignment, `window.YTD.tweets.part0 = [ ... ]`. The wrapper is
blanked out (replaced by spaces, so JSON error lines and columns still match the file) and the
array is parsed as JSON. What is read:

- `data/account.js` (and, as a fallback, `data/manifest.js`): the archive owner, who is the
  author of every tweet.
- `data/tweets.js` (older archives: `data/tweet.js`), split into `tweets-part1.js`, ... when
  large; `data/deleted-tweets.js` (marked `extra["deleted"]`).
- `data/direct-messages.js` and `data/direct-messages-group.js` (older: `direct-message.js`,
  `direct-message-group.js`): one conversation per entry; `messageCreate` events are messages,
  joins/leaves/renames are system events.

Quirks handled: numbers are strings; tweet text is HTML-escaped (`&amp;`) and carries `t.co`
links, which are expanded (the original text is kept in `extra["full_text"]`); retweets are only
recognisable by their `RT @handle:` prefix; DM link entities use `expanded` instead of
`expanded_url`; DM conversations list their newest message first; media files sit beside the
data files as `tweets_media/<tweet id>-<file name>` (or `direct_messages_media/<message id>-...`).
"""

from __future__ import annotations

from amparo.ingest.twitter.files import (
    file_kind,
    parse_twitter_date,
    strip_wrapper,
    unescape_twitter,
)
from amparo.ingest.twitter.importer import TwitterImporter

__all__ = [
    "TwitterImporter", "file_kind", "parse_twitter_date", "strip_wrapper", "unescape_twitter",
]
