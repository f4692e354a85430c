#!/usr/bin/env bash
# Backs up a PostgreSQL database to object storage and keeps the last N dumps.
set -euo pipefail

readonly DB_NAME="${DB_NAME:-app}"
readonly BUCKET="s3://backups-$(hostname -s)"
KEEP=${KEEP:-7}
VERBOSE=0
stamp=$(date -u +%Y%m%dT%H%M%SZ)
dump="/tmp/${DB_NAME}-${stamp}.sql.gz"

log() {
    if [[ $VERBOSE -eq 1 ]]; then
        echo "[$(date +%T)] $*" >&2
    fi
}

die() {
    echo "error: $1" >&2
    exit "${2:-1}"
}

usage() {
    cat <<USAGE
usage: $0 [-v] [-k KEEP]
  -v       talk about it
  -k KEEP  dumps to keep (default $KEEP)
USAGE
}

while getopts ":vk:h" opt; do
    case "$opt" in
        v) VERBOSE=1 ;;
        k) KEEP="$OPTARG" ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))

command -v pg_dump >/dev/null 2>&1 || die "pg_dump is not installed" 3
command -v aws >/dev/null || die "aws cli is missing" 3

trap 'rm -f "$dump"' EXIT

log "dumping $DB_NAME to $dump"
pg_dump --no-owner --format=plain "$DB_NAME" | gzip -9 > "$dump"
size=$(stat -c %s "$dump")
if (( size < 1024 )); then
    die "dump is only ${size} bytes"
fi

log "uploading $(basename "$dump")"
aws s3 cp "$dump" "$BUCKET/" --only-show-errors

mapfile -t dumps < <(aws s3 ls "$BUCKET/" | awk '{print $4}' | sort)
count=${#dumps[@]}
log "found $count dumps, keeping $KEEP"

for (( i = 0; i < count - KEEP; i++ )); do
    old=${dumps[$i]}
    log "removing $old"
    aws s3 rm "$BUCKET/$old" --only-show-errors
done

export LAST_BACKUP="$stamp"
for host in web-1 web-2 worker; do
    ssh "deploy@$host" "echo $LAST_BACKUP > /var/lib/app/last-backup" &
done
wait

echo 'done'
