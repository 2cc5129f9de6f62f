#!/bin/sh
# tests/check_messages.sh -- every message the module writes has an entry in
# docs/TROUBLESHOOTING.md: tests/check_messages.py reads the messages from
# the C sources and the entries from the page, fails naming each message
# without an entry and each entry whose message is gone, and first proves
# it can fail (a page without one entry, and one naming a made-up message,
# must both be refused).  docs/TESTING.md, "Adding a message".
set -u
cd "$(dirname "$0")/.."
exec python3 tests/check_messages.py "$@"
