#!/usr/bin/env bash
# make run's first look (issue #15): from a checkout with its virtualenv made, start `make run` on a fresh
# .data, and print the seconds until /healthz answers 200, until the first released letter is in the CSV export,
# and until all of the demo letters are; then the archive, statistics and feed answers. Usage:
#   bench/make_run_first_look.sh /path/to/checkout   (port 8000 must be free; the data of .data is removed)
cd "$1" || exit 1
rm -rf .data/postgres .data/redis .data/redis-ratelimit .data/media .data/static 2>/dev/null
start=$(date +%s.%N)
setsid make run > /tmp/makerun.log 2>&1 &
pid=$!
t() { echo "$(date +%s.%N) - $start" | bc; }
until [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8000/healthz)" = 200 ]; do sleep 0.5; done
echo "healthz 200 after $(t) s"
first=""; last=0; stable=0
while :; do
  n=$(curl -s http://127.0.0.1:8000/communications/export.csv | tail -n +2 | grep -c .)
  if [ -z "$first" ] && [ "$n" -gt 0 ]; then first=1; echo "first public letters ($n) after $(t) s"; fi
  if [ "$n" -ge 216 ]; then echo "$n public letters after $(t) s"; break; fi
  if [ "$n" = "$last" ]; then stable=$((stable+1)); else stable=0; fi
  last=$n
  [ $stable -gt 120 ] && { echo "stuck at $n after $(t) s"; break; }
  sleep 2
done
curl -s -o /dev/null -w 'archive %{http_code} ' http://127.0.0.1:8000/communications/
curl -s -o /dev/null -w 'statistics %{http_code} ' http://127.0.0.1:8000/communications/stats/
curl -s http://127.0.0.1:8000/communications/feed/ | grep -o "<entry>" | grep -c . | sed 's/^/feed entries /'
kill -INT -- -$pid; sleep 5; kill -- -$pid 2>/dev/null
