#!/bin/bash
# Rotates the logs of a service and restarts it when they got too big.
set -e

LOG_DIR=/var/log/myapp
MAX_MB=${MAX_MB:-50}
service="myapp"

rotate() {
    local file=$1
    local n
    for n in 4 3 2 1; do
        [ -f "$file.$n.gz" ] && mv "$file.$n.gz" "$file.$((n + 1)).gz"
    done
    gzip -c "$file" > "$file.1.gz"
    : > "$file"
}

size_mb() {
    du -m "$1" | cut -f1
}

if [ ! -d "$LOG_DIR" ]; then
    echo "no log directory $LOG_DIR" >&2
    exit 1
fi

rotated=0
for log in "$LOG_DIR"/*.log; do
    [ -e "$log" ] || continue
    size=$(size_mb "$log")
    if [ "$size" -gt "$MAX_MB" ]; then
        echo "rotating $log (${size} MB)"
        rotate "$log"
        rotated=$((rotated + 1))
    fi
done

case "$rotated" in
    0) echo "nothing to do" ;;
    1) echo "one log rotated" ;;
    *) echo "$rotated logs rotated" ;;
esac

if [[ $rotated -gt 0 && -z "${NO_RESTART:-}" ]]; then
    systemctl restart "$service"
    sleep 2
    systemctl is-active --quiet "$service" || { echo 'restart failed'; exit 2; }
fi

find "$LOG_DIR" -name '*.gz' -mtime +30 -print -delete | wc -l | xargs echo "deleted:"
