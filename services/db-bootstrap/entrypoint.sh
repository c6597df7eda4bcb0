#!/bin/sh
# Runs BOOTSTRAP_SQL (planned by infra/database/plan.ts planBootstrapSql: idempotent, guarded
# statements) as the master user, over TLS with the server certificate verified. ECS injects
# DB_MASTER_USERNAME and DB_MASTER_PASSWORD from the RDS-managed secret when the task starts, so
# every run uses the password current at that moment. Nothing is printed but the statements'
# results; the password never reaches the logs or the command line.
set -eu

: "${DB_ENGINE:?}" "${DB_HOST:?}" "${DB_PORT:?}" "${DB_NAME:?}" "${BOOTSTRAP_SQL:?}"
: "${DB_MASTER_USERNAME:?}" "${DB_MASTER_PASSWORD:?}"
CA=/etc/rds/global-bundle.pem

echo "db-bootstrap: ${DB_ENGINE} ${DB_HOST}:${DB_PORT}/${DB_NAME}"
case "$DB_ENGINE" in
  aurora-postgresql)
    # Credentials through the environment (PGPASSWORD), not argv: /proc/<pid>/cmdline is readable.
    export PGPASSWORD="$DB_MASTER_PASSWORD" PGSSLMODE=verify-full PGSSLROOTCERT="$CA" PGCONNECT_TIMEOUT=30
    # ON_ERROR_STOP: the first failing statement fails the task (exit 3), and the workflow with it.
    printf '%s\n' "$BOOTSTRAP_SQL" | psql -X -v ON_ERROR_STOP=1 -h "$DB_HOST" -p "$DB_PORT" -U "$DB_MASTER_USERNAME" -d "$DB_NAME" -f -
    ;;
  aurora-mysql)
    export MYSQL_PWD="$DB_MASTER_PASSWORD"
    # `mariadb`, not `mysql`: newer MariaDB client packages move the mysql-named commands to a
    # separate compatibility package; `mariadb` is the client's own name in every current release.
    printf '%s\n' "$BOOTSTRAP_SQL" | mariadb --ssl-ca="$CA" --ssl-verify-server-cert --connect-timeout=30 \
      -h "$DB_HOST" -P "$DB_PORT" -u "$DB_MASTER_USERNAME" "$DB_NAME"
    ;;
  *)
    echo "db-bootstrap: unknown DB_ENGINE ${DB_ENGINE}" >&2
    exit 2
    ;;
esac
echo "db-bootstrap: done"
