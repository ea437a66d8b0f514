# exec.sh: driver = exec over conf/templates/exec-sqlite.py, for the tests
# and benchmarks that need one working action script, and run.sh's exec
# engine (bash; root).
#
#   exec_sqlite_conf DIR SOCKET STATE_DIR [SED_ARGS...]
#       DIR/bin/exec-sqlite.py (root's, 0755) over DIR/data/users.db
#       (nobody's; sqlite.sql's tables) holding alice (uid 10001,
#       sha512crypt of alice-pw, in no group); prints exec-sqlite.conf with
#       those paths, run_as nobody, SOCKET, STATE_DIR and no caching (every
#       look-up reaches the script), then SED_ARGS applied
exec_sqlite_conf() {
	local dir=$1 sock=$2 state=$3 t
	t=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../conf/templates" && pwd)
	shift 3
	mkdir -m 755 "$dir/bin" "$dir/data"
	cp "$t/exec-sqlite.py" "$dir/bin/"
	chmod 755 "$dir/bin/exec-sqlite.py"
	sqlite3 "$dir/data/users.db" < "$t/sqlite.sql"
	sqlite3 "$dir/data/users.db" "INSERT INTO users (id, username, password, email, full_name,
		active, must_change_password) VALUES (1, 'alice', '$(mkpasswd -m sha512crypt alice-pw)',
		'alice@example.org', 'Alice Liddell', 1, 0)"
	chown -R nobody "$dir/data"
	sed -e "s|/usr/local/lib/customdb/|$dir/bin/|" -e "s|/var/lib/app/users.db|$dir/data/users.db|" \
		-e "s|^run_as = .*|run_as = nobody|" -e "s|^cache_ttl = .*|cache_ttl = 0\nnegative_ttl = 0|" \
		-e "s|^\[customdb\]\$|[customdb]\nsocket = $sock\nstate_dir = $state|" \
		"$t/exec-sqlite.conf" | sed -e "" "$@"
}

#   exec_legacy_conf DIR DB
#       the config of run.sh's exec engine (stdout) from the sqlite engine's
#       (legacy_config, on stdin): driver = exec, run_as nobody, query_timeout
#       4 (a Python start under load), each query a command line of
#       DIR/bin/exec_legacy.py (root's, 0755) over DB, which runs that
#       query's SQL, kept in DIR/queries, naming the SQL's :parameters
exec_legacy_conf() {
	local dir=$1 db=$2
	mkdir -m 755 "$dir/bin"
	cp "$(dirname "${BASH_SOURCE[0]}")/../data/exec_legacy.py" "$dir/bin/"
	chmod 755 "$dir/bin/exec_legacy.py"
	awk -v cmd="$dir/bin/exec_legacy.py $dir/queries $db" -v q="$dir/queries" '
	function flush(  s, p) {
		if (key == "") return
		s = sql; p = ""
		while (match(s, /:[a-z_]+/)) {
			if (index(p " ", " " substr(s, RSTART, RLENGTH) " ") == 0)
				p = p " " substr(s, RSTART, RLENGTH)
			s = substr(s, RSTART + RLENGTH)
		}
		print key " = " sql > q
		print key " = " cmd p
		key = ""
	}
	/^\[/ { flush(); queries = ($0 == "[queries]") }
	queries && /^[a-z_]+ = / { flush(); key = $1; sql = substr($0, length($1) + 4); next }
	queries && /^[ \t]/ && key != "" { sql = sql "\n" $0; next }
	/^driver = / { print "driver = exec\nrun_as = nobody"; next }
	/^connection = / { next }
	/^query_timeout = / { print "query_timeout = 4"; next }
	{ flush(); print }
	END { flush() }'
	chmod 644 "$dir/queries"
}
