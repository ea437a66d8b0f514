# servers.sh: throw-away PostgreSQL and MariaDB servers for integration tests.
#
# Source it (bash; safe under `set -u` and `set -e`), run as root. Everything a
# server owns lives under the DIR you give it: data, Unix socket, pid and log.
# No TCP port is opened, and nothing of the system's own servers is touched.
#
#   pg_start DIR            fresh cluster in DIR/data, socket in DIR/sock;
#                           role customdb (password legacy-secret), db legacy;
#                           exports PGSOCKDIR
#   pg_stop DIR             fast shutdown, waits
#   pg_restart_server DIR   start again on the existing data
#   pg_sql DIR [SQL]        run SQL (or stdin) as postgres in db legacy; prints
#                           rows unaligned, tuples only (psql -At)
#   pg_conninfo DIR         libpq conninfo for customdb (no password)
#
#   maria_start DIR         fresh server in DIR/data, socket DIR/mysql.sock;
#                           user customdb@localhost (legacy-secret), SELECT on
#                           legacy.*; exports MARIASOCK
#   maria_stop DIR, maria_restart_server DIR
#   maria_sql DIR [SQL]     run SQL (or stdin) as root in db legacy (-N -B)
#   maria_conninfo DIR      customdb's connection string for backend_mysql
#
#   odbc_setup DIR          odbcinst.ini (the three Debian drivers, ANSI where
#                           there is a choice) and an empty odbc.ini in DIR,
#                           and ODBCSYSINI=DIR exported: the host's
#                           /etc/odbcinst.ini is never read nor written
#   odbc_dsn DIR NAME ENGINE WHERE  add the data source NAME for ENGINE's
#                           server (postgresql, mysql: its DIR) or file
#                           (sqlite) WHERE to DIR's odbc.ini
#   odbc_conninfo ENGINE WHERE  an ODBC connection string (no password) for
#                           user customdb on ENGINE's server or file WHERE
#
# PG_PORT (default 55432) names the socket file; it is saved in DIR at start.
# PostgreSQL runs as user postgres and MariaDB as user mysql: DIR's parents
# must let them through. Parents under /tmp (or $TMPDIR) that do not are
# given o+x (what mktemp -d makes is 0700); others are an error.
# Functions print what went wrong (and the server log's tail) on stderr and
# return non-zero.

SERVERS_PG_BIN=${SERVERS_PG_BIN:-}
SERVERS_TIMEOUT=${SERVERS_TIMEOUT:-30}
SERVERS_PASSWORD=legacy-secret

_srv_err() {
	printf 'servers.sh: %s\n' "$*" >&2
}

_srv_need_root() {
	if [ "$(id -u)" != 0 ]; then
		_srv_err "$1: must run as root"
		return 1
	fi
}

# Absolute path of DIR, which must exist.
_srv_dir() {
	if [ -z "${1:-}" ]; then
		_srv_err "missing DIR argument"
		return 1
	fi
	(cd -- "$1" 2>/dev/null && pwd -P) || {
		_srv_err "no such directory: $1"
		return 1
	}
}

# Let USER reach DIR: give o+x to parents under the temporary directory that
# lack it; refuse anything else.
_srv_make_reachable() {
	local user=$1 dir=$2 tmp p
	tmp=$(cd -- "${TMPDIR:-/tmp}" 2>/dev/null && pwd -P) || tmp=/tmp
	p=$(dirname -- "$dir")
	while [ "$p" != / ]; do
		if ! runuser -u "$user" -- test -x "$p" 2>/dev/null; then
			case $p/ in
			"$tmp"/?*)
				chmod o+x -- "$p" || return 1
				;;
			*)
				_srv_err "user $user cannot reach $dir: $p is not searchable"
				return 1
				;;
			esac
		fi
		p=$(dirname -- "$p")
	done
}

# Quote a value for a libpq-style key=value string.
_srv_conn_quote() {
	local v=$1
	case $v in
	*[\ \'\\]* | '')
		v=${v//\\/\\\\}
		v=${v//\'/\\\'}
		printf "'%s'" "$v"
		;;
	*)
		printf '%s' "$v"
		;;
	esac
}

# Quote a value for postgresql.conf.
_srv_pg_conf_quote() {
	printf "'%s'" "${1//\'/\'\'}"
}

# Wait until "$@" succeeds, SERVERS_TIMEOUT seconds at most.
_srv_wait_for() {
	local i=0 limit=$((SERVERS_TIMEOUT * 10))
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ "$i" -ge "$limit" ]; then
			return 1
		fi
		sleep 0.1
	done
}

# Wait until process PID is gone; then 0. After SERVERS_TIMEOUT seconds, 1.
_srv_wait_gone() {
	local pid=$1 i=0 limit=$((SERVERS_TIMEOUT * 10))
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -ge "$limit" ]; then
			return 1
		fi
		sleep 0.1
	done
}

_srv_log_tail() {
	if [ -f "$1" ]; then
		printf -- '--- last lines of %s:\n' "$1" >&2
		tail -n 20 -- "$1" >&2
	fi
}

# ---------------------------------------------------------------- PostgreSQL

_pg_bin() {
	local d
	if [ -n "$SERVERS_PG_BIN" ]; then
		printf '%s' "$SERVERS_PG_BIN"
		return 0
	fi
	if [ -x /usr/lib/postgresql/15/bin/postgres ]; then
		printf '%s' /usr/lib/postgresql/15/bin
		return 0
	fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/postgres" ]; then
			printf '%s' "$d"
			return 0
		fi
	done
	_srv_err "no PostgreSQL server binaries under /usr/lib/postgresql"
	return 1
}

_pg_port() {
	if [ -f "$1/port" ]; then
		cat -- "$1/port"
	else
		printf '%s' "${PG_PORT:-55432}"
	fi
}

# Run a PostgreSQL binary as postgres, from a directory postgres can read.
_pg_as_postgres() {
	(cd / && runuser -u postgres -- "$@")
}

_pg_ctl() {
	local dir=$1 bin
	shift
	bin=$(_pg_bin) || return 1
	_pg_as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" "$@"
}

_pg_running() {
	[ -f "$1/data/postmaster.pid" ] && _pg_ctl "$1" status >/dev/null 2>&1
}

# psql as postgres into database DB, SQL on stdin.
_pg_psql() {
	local dir=$1 db=$2 bin
	bin=$(_pg_bin) || return 1
	_pg_as_postgres "$bin/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$dir/sock" \
		-p "$(_pg_port "$dir")" -d "$db" -f -
}

_pg_wait_ready() {
	local dir=$1 bin
	bin=$(_pg_bin) || return 1
	_srv_wait_for "$bin/pg_isready" -q -h "$dir/sock" -p "$(_pg_port "$dir")" -d postgres
}

pg_start() {
	local dir bin port sock
	_srv_need_root pg_start || return 1
	mkdir -p -- "${1:-}" || return 1
	dir=$(_srv_dir "${1:-}") || return 1
	bin=$(_pg_bin) || return 1
	port=${PG_PORT:-55432}
	sock="$dir/sock/.s.PGSQL.$port"
	if [ "${#sock}" -gt 107 ]; then
		_srv_err "pg_start: socket path too long (${#sock} > 107): $sock"
		return 1
	fi

	# Stale state from an earlier run: stop it, then start from scratch.
	if [ -f "$dir/data/postmaster.pid" ]; then
		_pg_ctl "$dir" stop -m immediate -w >/dev/null 2>&1 || true
	fi
	rm -rf -- "$dir/data" "$dir/sock" "$dir/postgres.log" "$dir/port"
	mkdir -p -- "$dir/sock" || return 1
	printf '%s' "$port" >"$dir/port"
	chown postgres: -- "$dir" "$dir/sock" || return 1
	chmod 0755 -- "$dir" "$dir/sock" || return 1
	_srv_make_reachable postgres "$dir" || return 1

	if ! _pg_as_postgres "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 \
		--locale=C.UTF-8 --no-sync --auth-local=peer --auth-host=reject \
		>"$dir/initdb.log" 2>&1; then
		_srv_err "pg_start: initdb failed"
		_srv_log_tail "$dir/initdb.log"
		return 1
	fi
	# postgres by peer (pg_sql runs as postgres); everyone else by password.
	cat >"$dir/data/pg_hba.conf" <<-'EOF'
		local all postgres peer
		local all all scram-sha-256
	EOF
	cat >>"$dir/data/postgresql.conf" <<-EOF
		# servers.sh: Unix socket only, fast and small.
		listen_addresses = ''
		port = $port
		unix_socket_directories = $(_srv_pg_conf_quote "$dir/sock")
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		shared_buffers = 16MB
		max_connections = 40
		logging_collector = off
	EOF
	chown postgres: -- "$dir/data/pg_hba.conf" "$dir/data/postgresql.conf" || return 1

	_pg_server_start "$dir" || return 1
	_pg_psql "$dir" postgres >/dev/null <<-EOF || return 1
		CREATE ROLE customdb LOGIN PASSWORD '$SERVERS_PASSWORD';
		CREATE DATABASE legacy OWNER postgres;
		GRANT CONNECT ON DATABASE legacy TO customdb;
	EOF
	# Like the MariaDB grant on legacy.*: customdb reads every table.
	pg_sql "$dir" >/dev/null <<-EOF || return 1
		ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public
			GRANT SELECT ON TABLES TO customdb;
	EOF
}

_pg_server_start() {
	local dir=$1
	if ! _pg_ctl "$dir" start -w -t "$SERVERS_TIMEOUT" >/dev/null 2>&1 ||
		! _pg_wait_ready "$dir"; then
		_srv_err "PostgreSQL in $dir did not start"
		_srv_log_tail "$dir/postgres.log"
		return 1
	fi
	export PGSOCKDIR="$dir/sock"
}

pg_restart_server() {
	local dir
	_srv_need_root pg_restart_server || return 1
	dir=$(_srv_dir "${1:-}") || return 1
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		_srv_err "pg_restart_server: no cluster in $dir/data (pg_start first)"
		return 1
	fi
	if _pg_running "$dir"; then
		_srv_err "pg_restart_server: already running in $dir"
		return 1
	fi
	_pg_server_start "$dir"
}

pg_stop() {
	local dir
	# Nothing to stop (a cleanup trap may run before the start did).
	[ -d "${1:-}" ] || return 0
	dir=$(_srv_dir "${1:-}") || return 1
	if ! _pg_running "$dir"; then
		return 0
	fi
	if ! _pg_ctl "$dir" stop -m fast -w -t "$SERVERS_TIMEOUT" >/dev/null 2>&1; then
		_srv_err "pg_stop: fast shutdown of $dir failed; stopping immediately"
		_pg_ctl "$dir" stop -m immediate -w >/dev/null 2>&1 || return 1
	fi
}

pg_sql() {
	local dir
	dir=$(_srv_dir "${1:-}") || return 1
	if [ $# -ge 2 ]; then
		printf '%s\n' "$2" | _pg_psql "$dir" legacy
	else
		_pg_psql "$dir" legacy
	fi
}

pg_conninfo() {
	local dir
	dir=$(_srv_dir "${1:-}") || return 1
	printf 'host=%s port=%s dbname=legacy user=customdb\n' \
		"$(_srv_conn_quote "$dir/sock")" "$(_pg_port "$dir")"
}

# pg_store_database DIR: the migrate store's role (cdbstore, password
# store-secret) and its database (store), which the role owns, so that the
# store creates its schema itself.
pg_store_database() {
	printf '%s\n' "CREATE ROLE cdbstore LOGIN PASSWORD 'store-secret';" \
		"CREATE DATABASE store OWNER cdbstore;" | _pg_psql "$1" postgres
}

# pg_store_conninfo DIR: the libpq connection string of that database, as
# cdbstore (without the password).
pg_store_conninfo() {
	pg_conninfo "$1" | sed 's/dbname=legacy user=customdb/dbname=store user=cdbstore/'
}

# ---------------------------------------------------------------- MariaDB

_maria_admin() {
	mariadb-admin --no-defaults --socket="$1/mysql.sock" -u root "${@:2}"
}

# The mariadb client as root into database DB, SQL on stdin.
_maria_client() {
	mariadb --no-defaults --socket="$1/mysql.sock" -u root -N -B --database="$2"
}

_maria_pid() {
	local pid
	[ -f "$1/mariadbd.pid" ] || return 1
	pid=$(cat -- "$1/mariadbd.pid" 2>/dev/null) || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	printf '%s' "$pid"
}

maria_start() {
	local dir pid
	_srv_need_root maria_start || return 1
	mkdir -p -- "${1:-}" || return 1
	dir=$(_srv_dir "${1:-}") || return 1
	if [ "$((${#dir} + 11))" -gt 107 ]; then
		_srv_err "maria_start: socket path too long: $dir/mysql.sock"
		return 1
	fi

	# Stale state from an earlier run: kill it, then start from scratch.
	if pid=$(_maria_pid "$dir"); then
		kill -KILL "$pid" 2>/dev/null || true
		_srv_wait_gone "$pid" || true
	fi
	rm -rf -- "$dir/data" "$dir/tmp" "$dir/mysql.sock" "$dir/mariadbd.pid" \
		"$dir/mariadb.log" "$dir/install.log"
	mkdir -p -- "$dir/data" "$dir/tmp" || return 1
	chown mysql: -- "$dir" "$dir/data" "$dir/tmp" || return 1
	chmod 0755 -- "$dir" || return 1
	_srv_make_reachable mysql "$dir" || return 1

	if ! (cd / && mariadb-install-db --no-defaults --user=mysql --datadir="$dir/data" \
		--auth-root-authentication-method=normal --skip-test-db \
		--skip-name-resolve --innodb-buffer-pool-size=16M \
		--innodb-log-file-size=8M) >"$dir/install.log" 2>&1; then
		_srv_err "maria_start: mariadb-install-db failed"
		_srv_log_tail "$dir/install.log"
		return 1
	fi
	maria_restart_server "$dir" || return 1
	_maria_client "$dir" mysql >/dev/null <<-EOF || return 1
		CREATE DATABASE legacy CHARACTER SET utf8mb4;
		CREATE USER 'customdb'@'localhost' IDENTIFIED BY '$SERVERS_PASSWORD';
		GRANT SELECT ON legacy.* TO 'customdb'@'localhost';
	EOF
}

maria_restart_server() {
	local dir pid
	_srv_need_root maria_restart_server || return 1
	dir=$(_srv_dir "${1:-}") || return 1
	if [ ! -d "$dir/data/mysql" ]; then
		_srv_err "maria_restart_server: no data in $dir/data (maria_start first)"
		return 1
	fi
	if _maria_pid "$dir" >/dev/null; then
		_srv_err "maria_restart_server: already running in $dir"
		return 1
	fi
	rm -f -- "$dir/mysql.sock" "$dir/mariadbd.pid"
	# setsid: a test's terminal signals do not reach it; stop with maria_stop.
	(cd / && exec setsid mariadbd --no-defaults --user=mysql \
		--datadir="$dir/data" --tmpdir="$dir/tmp" --socket="$dir/mysql.sock" \
		--pid-file="$dir/mariadbd.pid" --log-error="$dir/mariadb.log" \
		--skip-networking --skip-log-bin --skip-name-resolve \
		--performance-schema=OFF --innodb-buffer-pool-size=16M \
		--innodb-log-file-size=8M --innodb-flush-log-at-trx-commit=0 \
		--innodb-doublewrite=0 --innodb-use-native-aio=0 \
		--max-connections=40 --character-set-server=utf8mb4 \
		</dev/null >>"$dir/mariadb.log" 2>&1 &)
	if ! _srv_wait_for _maria_admin "$dir" --connect-timeout=1 ping ||
		! pid=$(_maria_pid "$dir"); then
		_srv_err "maria_restart_server: server in $dir did not start"
		_srv_log_tail "$dir/mariadb.log"
		return 1
	fi
	export MARIASOCK="$dir/mysql.sock"
}

maria_stop() {
	local dir
	# Nothing to stop (a cleanup trap may run before the start did).
	[ -d "${1:-}" ] || return 0 pid
	dir=$(_srv_dir "${1:-}") || return 1
	pid=$(_maria_pid "$dir") || return 0
	_maria_admin "$dir" --connect-timeout=2 shutdown >/dev/null 2>&1 ||
		kill -TERM "$pid" 2>/dev/null || true
	if ! _srv_wait_gone "$pid"; then
		_srv_err "maria_stop: server $pid in $dir ignored shutdown; killing it"
		kill -KILL "$pid" 2>/dev/null || true
		_srv_wait_gone "$pid" || return 1
	fi
}

maria_sql() {
	local dir
	dir=$(_srv_dir "${1:-}") || return 1
	if [ $# -ge 2 ]; then
		printf '%s\n' "$2" | _maria_client "$dir" legacy
	else
		_maria_client "$dir" legacy
	fi
}

maria_conninfo() {
	local dir
	dir=$(_srv_dir "${1:-}") || return 1
	printf 'socket=%s user=customdb database=legacy\n' "$(_srv_conn_quote "$dir/mysql.sock")"
}

# ---------------------------------------------------------------- ODBC

odbc_setup() {
	mkdir -p -- "$1" || return 1
	cat > "$1/odbcinst.ini" <<-X || return 1
		[PostgreSQL ANSI]
		Driver = psqlodbca.so
		[MariaDB]
		Driver = libmaodbc.so
		[SQLite3]
		Driver = libsqlite3odbc.so
	X
	: > "$1/odbc.ini"
	chmod 755 "$1"
	chmod 644 "$1/odbcinst.ini" "$1/odbc.ini"
	export ODBCSYSINI=$1
}

# the attributes of a data source, one key=value a line
_odbc_attrs() {
	local dir
	case $1 in
	postgresql)
		dir=$(_srv_dir "$2") || return 1
		printf 'Driver=PostgreSQL ANSI\nServername=%s\nPort=%s\nDatabase=legacy\n' \
			"$dir/sock" "$(_pg_port "$dir")" ;;
	mysql)
		dir=$(_srv_dir "$2") || return 1
		# OPTION=2: rows matched, not rows changed, as backend_mysql's
		# CLIENT_FOUND_ROWS
		printf 'Driver=MariaDB\nServer=localhost\nSocket=%s\nDatabase=legacy\nOption=2\n' \
			"$dir/mysql.sock" ;;
	sqlite)
		printf 'Driver=SQLite3\nDatabase=%s\nTimeout=2000\n' "$2" ;;
	*) _srv_err "odbc: unknown engine $1"; return 1 ;;
	esac
}

odbc_dsn() {
	{ printf '[%s]\n' "$2"; _odbc_attrs "$3" "$4"; } >> "$1/odbc.ini"
}

odbc_conninfo() {
	local a
	a=$(_odbc_attrs "$1" "$2") || return 1
	[ "$1" = sqlite ] || a="$a"$'\nUID=customdb'
	printf '%s\n' "${a//$'\n'/;}"
}
