#!/bin/bash
# passwd.sh: password changes and account states end to end, with real
# servers and real clients: passwd(1) on a pty run by a user (set-uid) and
# by root, su(1) forcing the change a must_change_password account needs,
# pamtester for the account step and for a caller that is not root.
#
#   tests/integration/passwd.sh [ENGINE...]   (default: sqlite postgresql mysql)
#                                             (odbc-ENGINE: driver = odbc)
#
# For each legacy engine, in legacy mode (the change goes to the
# change_password query, in password_scheme) and in migrate mode (a store
# user gets a new argon2id hash; an unmigrated user is migrated with the new
# password): every account state (disabled, expired, must change, email not
# verified with require_verified), a wrong current password, a retype that
# differs, a quality module in front (use_authtok), a change refused to a
# caller that is not root, rehash_on_login
# turning md5crypt and weak bcrypt rows into the configured scheme, no
# change_password query, and the daemon down.
# Needs what run.sh needs, plus expect and passwd; runs inside a private
# mount namespace (lib/ns.sh).
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib/setup.sh"

WORK=$(mktemp -d /tmp/customdb-pw.XXXXXX)
chmod 755 "$WORK"
SOCK=/run/customdb/socket   # set-uid passwd and su ignore CUSTOMDB_SOCKET
cleanup() {
	sshd_stop
	stop_daemon
	local d
	for d in postgresql odbc-postgresql; do
		[ -d "$WORK/$d/db" ] && pg_stop "$WORK/$d/db" >/dev/null 2>&1
	done
	for d in mysql odbc-mysql; do
		[ -d "$WORK/$d/db" ] && maria_stop "$WORK/$d/db" >/dev/null 2>&1
	done
	if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

ns_setup "$WORK" "$BUILD"
odbc_setup "$WORK/odbc"

QUALITY=$BUILD/tests/integration/pam_quality_stub.so
[ -e "$QUALITY" ] || { echo "passwd.sh: $QUALITY is missing: build first" >&2; exit 2; }

# The stacks: customdb for its users, pam_unix for everyone else.
passwd_stack() {
	ns_pam_service passwd \
		"password [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $PAMMOD" \
		"password required pam_unix.so"
}
passwd_stack
ns_pam_service su \
	"auth sufficient pam_rootok.so" \
	"auth [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $PAMMOD" \
	"auth required pam_unix.so try_first_pass" \
	"account [success=done new_authtok_reqd=done user_unknown=ignore authinfo_unavail=ignore default=die] $PAMMOD" \
	"account required pam_unix.so" \
	"password [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $PAMMOD" \
	"password required pam_unix.so" \
	"session required pam_permit.so"
ns_pam_service sshd \
	"auth [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $PAMMOD" \
	"auth required pam_deny.so" \
	"account [success=done new_authtok_reqd=done user_unknown=ignore authinfo_unavail=ignore default=die] $PAMMOD" \
	"account required pam_deny.so" \
	"password [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $PAMMOD" \
	"password required pam_deny.so" \
	"session required pam_permit.so"
ns_pam_service customdb-pw \
	"auth required $PAMMOD" \
	"account required $PAMMOD" \
	"password required $PAMMOD"

# passwd_user UID OLD NEW [RETYPE]: passwd run by the user itself
passwd_user() {
	pty "$2
$3
${4:-$3}" setpriv --reuid="$1" --regid=100 --clear-groups passwd
}
# passwd_root USER NEW: passwd USER run by root (no current password asked)
passwd_root() {
	pty "$2
$2" passwd "$1"
}
# su_forced FROM_UID USER OLD NEW: su to USER from a user; the account step
# says the password must change, su runs the change, then `id -un`
su_forced() {
	pty "$3
$3
$4
$4" setpriv --reuid="$1" --regid=100 --clear-groups su "$2" -c 'id -un'
}

# su_plain FROM_UID USER PASSWORD: su to USER from a user, `id -un` as USER
su_plain() {
	pty "$3" setpriv --reuid="$1" --regid=100 --clear-groups su "$2" -c 'id -un' | tr -d '\r'
	return "${PIPESTATUS[0]}"
}

# sshd on 127.0.0.1:2222 in the namespace: keyboard-interactive through PAM
# (service sshd: our stacks), a host key of its own
SSHD_PORT=2222
sshd_start() {
	local d=$WORK/ssh
	mkdir -p "$d" /run/sshd
	chmod 755 "$d"
	[ -e "$d/host" ] || ssh-keygen -q -t ed25519 -N '' -f "$d/host" || return 1
	cat > "$d/sshd_config" <<X
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $d/host
PidFile $d/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
PermitRootLogin no
AuthorizedKeysFile none
StrictModes no
LogLevel VERBOSE
X
	/usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log" || return 1
	wait_until 10 test -s "$d/sshd.pid"
}
sshd_stop() {
	[ -s "$WORK/ssh/sshd.pid" ] && kill "$(cat "$WORK/ssh/sshd.pid")" 2>/dev/null
	rm -f "$WORK/ssh/sshd.pid"
}
# ssh_login USER ANSWERS: ssh USER@127.0.0.1 `id -un`, every password prompt
# answered from ANSWERS (one per line); prints the session's output
ssh_login() {
	pty "$2" ssh -p "$SSHD_PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o PreferredAuthentications=keyboard-interactive -o NumberOfPasswordPrompts=1 \
		-o LogLevel=ERROR "$1@127.0.0.1" id -un | tr -d '\r'
	return "${PIPESTATUS[0]}"
}

# legacy_sql ENGINE SQL: one query on the engine's own client
legacy_sql() {
	case ${1#odbc-} in
	sqlite) sqlite3 -batch "$WORK/$1/legacy.db" "$2" ;;
	postgresql) pg_sql "$WORK/$1/db" "$2" ;;
	mysql) maria_sql "$WORK/$1/db" "$2" ;;
	esac
}
legacy_hash() { legacy_sql "$1" "SELECT password FROM users WHERE username = '$2'"; }

store_sql() { sqlite3 -batch "$WORK/$1/state/store.db" "$2"; }
store_hash() { store_sql "$1" "SELECT password_hash FROM users WHERE name = '$2'"; }

# setup ENGINE: the legacy database (writable by customdb), and its configs:
# legacy.conf, migrate.conf (SQLite store), and variants
setup() {
	local e=$1 dir=$WORK/$1 conn where
	mkdir -p "$dir/state"
	chmod 755 "$dir"
	legacy_data > "$dir/data.sql" || return 1
	case ${e#odbc-} in
	sqlite)
		conn=$dir/legacy.db
		where=$conn
		;;
	postgresql)
		mkdir -p "$dir/db"
		pg_start "$dir/db" >"$dir/server.log" 2>&1 || { cat "$dir/server.log"; return 1; }
		conn="$(pg_conninfo "$dir/db") password=legacy-secret"
		where=$dir/db
		;;
	mysql)
		mkdir -p "$dir/db"
		maria_start "$dir/db" >"$dir/server.log" 2>&1 || { cat "$dir/server.log"; return 1; }
		conn="$(maria_conninfo "$dir/db") password=legacy-secret"
		where=$dir/db
		;;
	esac
	case $e in
	odbc-sqlite) conn=$(odbc_conninfo sqlite "$where") ;;
	odbc-*) conn="$(odbc_conninfo "${e#odbc-}" "$where");PWD=legacy-secret" ;;
	esac
	legacy_load "$e" "$where" < "$dir/data.sql" || return 1
	legacy_config "$e" "$conn" "$SOCK" | sed "s|^state_dir = .*|state_dir = $dir/state|" \
		> "$dir/legacy.conf"
	sed 's/^require_verified = .*//; s/^\[customdb\]$/[customdb]\nrequire_verified = yes/' \
		"$dir/legacy.conf" > "$dir/verified.conf"
	sed 's/^\[legacy\]$/[legacy]\nrehash_on_login = yes/' "$dir/legacy.conf" > "$dir/rehash.conf"
	awk '/^change_password = /{skip=1; next} skip && /^[ \t]/{next} {skip=0; print}' \
		"$dir/legacy.conf" > "$dir/nochange.conf"
	sed 's/^mode = legacy$/mode = migrate/' "$dir/legacy.conf" > "$dir/migrate.conf"
	printf '\n[store]\npath = %s/state/store.db\n' "$dir" >> "$dir/migrate.conf"
	sed 's/^\[customdb\]$/[customdb]\nrequire_verified = yes/' "$dir/migrate.conf" \
		> "$dir/migrate-verified.conf"
	chmod 600 "$dir"/*.conf
}

# use CONF: (re)start the daemon on CONF
use() {
	stop_daemon
	start_daemon "$1" "$WORK/daemon.log" "$SOCK"
}

account_states() {
	local e=$1 mode=$2 dir=$WORK/$1 conf=$3 vconf=$4
	t_section "$e, $mode: account states (pamtester authenticate acct_mgmt)"
	use "$conf" || return 1
	t_ok "$e/$mode: alice passes the account step" pam customdb-pw alice alice-pw authenticate acct_mgmt
	t_grep "$e/$mode: carol (disabled): permission denied, and why" \
		"disabled.*|Permission denied" pam customdb-pw carol carol-pw authenticate acct_mgmt
	t_fail "$e/$mode: carol's account step fails" pam customdb-pw carol carol-pw authenticate acct_mgmt
	t_grep "$e/$mode: oscar (expired 2001-01-01): account expired" \
		"expired" pam customdb-pw oscar oscar-pw authenticate acct_mgmt
	t_fail "$e/$mode: oscar's account step fails" pam customdb-pw oscar oscar-pw authenticate acct_mgmt
	t_grep "$e/$mode: mike (must change): new password required" \
		"new one required|required to change" pam customdb-pw mike mike-pw authenticate acct_mgmt
	t_ok "$e/$mode: uma (not verified) passes while require_verified = no" \
		pam customdb-pw uma uma-pw authenticate acct_mgmt
	if [ "$mode" = migrate ]; then
		t_out "$e/$mode: carol (disabled) was not migrated" 0 \
			store_sql "$e" "SELECT count(*) FROM users WHERE name = 'carol'"
		t_out "$e/$mode: oscar (expired) was not migrated" 0 \
			store_sql "$e" "SELECT count(*) FROM users WHERE name = 'oscar'"
		t_out "$e/$mode: mike was migrated, still bound to change" 1 \
			store_sql "$e" "SELECT must_change_password FROM users WHERE name = 'mike'"
	fi
	use "$vconf" || return 1
	t_grep "$e/$mode: uma refused with require_verified = yes, saying why" \
		"not verified" pam customdb-pw uma uma-pw authenticate acct_mgmt
	t_fail "$e/$mode: uma's account step fails" pam customdb-pw uma uma-pw authenticate acct_mgmt
	t_ok "$e/$mode: alice still passes with require_verified = yes" \
		pam customdb-pw alice alice-pw authenticate acct_mgmt
}

# the password changes both modes share
changes() {
	local e=$1 mode=$2 conf=$3 h0
	t_section "$e, $mode: passwd(1) by the user and by root"
	use "$conf" || return 1
	h0=$(legacy_hash "$e" alice)
	t_grep "$e/$mode: passwd as alice, wrong current password: refused" \
		"not right|[Mm]anipulation error|[Aa]uthentication" passwd_user 10001 wrong-pw alice-new
	t_fail "$e/$mode: ... exit status non-zero" passwd_user 10001 wrong-pw alice-new
	t_ok "$e/$mode: ... alice's old password still works" pam customdb-pw alice alice-pw
	t_grep "$e/$mode: passwd as alice, retype differs: refused" \
		"do not match|[Mm]anipulation|[Tt]ry again|[Ff]ailed" \
		passwd_user 10001 alice-pw alice-new alice-other
	t_ok "$e/$mode: ... alice's old password still works" pam customdb-pw alice alice-pw
	t_grep "$e/$mode: passwd as alice: updated" "updated successfully" \
		passwd_user 10001 alice-pw alice-new
	t_ok "$e/$mode: alice logs in with the new password" pam customdb-pw alice alice-new
	t_fail "$e/$mode: ... and not with the old one" pam customdb-pw alice alice-pw
	if [ "$mode" = legacy ]; then
		t_grep "$e/$mode: the legacy row holds a bcrypt hash (password_scheme)" '^\$2b\$12\$' \
			legacy_hash "$e" alice
	else
		t_out "$e/$mode: the legacy row is untouched" "$h0" legacy_hash "$e" alice
		t_grep "$e/$mode: alice is in the store with an argon2id hash" '^\$argon2id\$' \
			store_hash "$e" alice
		h0=$(store_hash "$e" alice)
		t_grep "$e/$mode: passwd again as alice (now migrated): updated" "updated successfully" \
			passwd_user 10001 alice-new alice-newer
		t_ok "$e/$mode: alice logs in with the newer password" pam customdb-pw alice alice-newer
		t_fail "$e/$mode: ... not with the one before" pam customdb-pw alice alice-new
		t_ok "$e/$mode: the store hash changed" test "$(store_hash "$e" alice)" != "$h0"
	fi
	t_grep "$e/$mode: passwd bob as root (no current password asked): updated" \
		"updated successfully" passwd_root bob bob-root-set
	t_ok "$e/$mode: bob logs in with what root set" pam customdb-pw bob bob-root-set
	t_fail "$e/$mode: ... not with his old one" pam customdb-pw bob bob-pw
	[ "$mode" = migrate ] && t_grep "$e/$mode: bob was migrated by the change" '^\$argon2id\$' \
		store_hash "$e" bob

	t_section "$e, $mode: the forced change (su, must_change_password)"
	t_grep "$e/$mode: su to mike asks for a new password, then runs the shell" \
		"required to change.*|mike" su_forced 10001 mike mike-pw mike-new
	t_grep "$e/$mode: su to mike with the new password runs the shell as mike" "^mike" \
		su_plain 10001 mike mike-new
	t_ok "$e/$mode: mike passes the account step now" pam customdb-pw mike mike-new authenticate acct_mgmt
	if [ "$e" = sqlite ]; then
		# sshd: the same forced change in its keyboard-interactive dialogue
		if [ "$mode" = legacy ]; then
			legacy_sql "$e" "UPDATE users SET must_change = 1 WHERE username = 'heidi'"
		else
			t_ok "$e/$mode: heidi logs in once (migrated)" pam customdb-pw heidi heidi-pw
			store_sql "$e" "UPDATE users SET must_change_password = 1 WHERE name = 'heidi'"
		fi
		t_ok "$e/$mode: sshd starts (127.0.0.1:$SSHD_PORT)" sshd_start
		t_grep "$e/$mode: ssh heidi: sshd makes her change the password, then runs the command" \
			"^heidi" ssh_login heidi "heidi-pw
heidi-pw
heidi-ssh
heidi-ssh"
		t_grep "$e/$mode: ... the change was asked for" "required to change" cat "$WORK/pty.log"
		t_grep "$e/$mode: ssh heidi again: the new password, no change asked" "^heidi" \
			ssh_login heidi "heidi-ssh"
		t_nogrep "$e/$mode: ... no change asked" "required to change" cat "$WORK/pty.log"
		t_fail "$e/$mode: ssh heidi with the old password fails" ssh_login heidi "heidi-pw"
		sshd_stop

		# a quality module in front (a stand-in for pam_pwquality): the new
		# password is asked by it, and pam_customdb use_authtok takes it
		ns_pam_service passwd \
			"password requisite $QUALITY" \
			"password [success=done user_unknown=ignore authinfo_unavail=ignore default=die] $PAMMOD use_authtok" \
			"password required pam_unix.so use_authtok"
		t_grep "$e/$mode: behind a quality module, a password it refuses: passwd fails, saying why" \
			"BAD PASSWORD" passwd_user 10042 uma-pw short
		t_ok "$e/$mode: ... uma's password is unchanged" pam customdb-pw uma uma-pw
		t_grep "$e/$mode: ... one it accepts: updated, the new password asked twice only" \
			"updated successfully" passwd_user 10042 uma-pw uma-quality
		t_ok "$e/$mode: uma logs in with it" pam customdb-pw uma uma-quality
		passwd_stack
	fi

	t_section "$e, $mode: who may change what"
	t_grep "$e/$mode: a user changing another user's password through pamtester: refused" \
		"[Pp]ermission denied|not root" \
		bash -c "printf 'dave-pw\nx1\nx1\n' | setpriv --reuid=10002 --regid=100 --clear-groups pamtester customdb-pw dave chauthtok"
	t_ok "$e/$mode: dave's password is unchanged" pam customdb-pw dave dave-pw
	t_grep "$e/$mode: an empty new password is refused" "empty|[Mm]anipulation|[Ff]ailed|[Tt]ry" \
		passwd_root frank ""
	t_ok "$e/$mode: frank's password is unchanged" pam customdb-pw frank frank-pw
}

legacy_only() {
	local e=$1 dir=$WORK/$1 h
	t_section "$e, legacy: rehash_on_login"
	use "$dir/rehash.conf" || return 1
	t_grep "$e: erin's row is md5crypt before" '^\$1\$' legacy_hash "$e" erin
	t_ok "$e: erin logs in" pam customdb-pw erin erin-pw
	t_grep "$e: ... and her row is bcrypt now" '^\$2b\$12\$' legacy_hash "$e" erin
	t_ok "$e: erin logs in with the re-hashed row" pam customdb-pw erin erin-pw
	t_grep "$e: the re-hash is logged" "erin: password re-hashed from md5crypt to bcrypt" \
		cat "$WORK/daemon.log"
	t_ok "$e: grace logs in (bcrypt cost 5, below 12)" pam customdb-pw grace grace-pw
	t_grep "$e: ... re-hashed to cost 12" '^\$2b\$12\$' legacy_hash "$e" grace
	h=$(legacy_hash "$e" alice)
	t_ok "$e: alice logs in (bcrypt cost 12 already)" pam customdb-pw alice alice-new
	t_out "$e: ... her row is left as it is" "$h" legacy_hash "$e" alice
	t_ok "$e: a wrong password re-hashes nothing" pam customdb-pw frank frank-pw
	h=$(legacy_hash "$e" dave)
	t_fail "$e: dave with a wrong password" pam customdb-pw dave wrong
	t_out "$e: ... his argon2id row is left as it is" "$h" legacy_hash "$e" dave

	t_section "$e, legacy: no change_password query; the daemon down"
	use "$dir/nochange.conf" || return 1
	t_grep "$e: passwd says changes are not enabled" "not enabled" passwd_root dave dave-x
	t_ok "$e: dave's password is unchanged" pam customdb-pw dave dave-pw
	stop_daemon
	local t0 t1
	t0=$(now_ms)
	t_fail "$e: passwd with the daemon down fails" passwd_root dave dave-x
	t1=$(now_ms)
	t_ok "$e: ... within 5 s ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 5000
}

for e in "${ENGINES[@]}"; do
	t_section "$e: setting up"
	t_ok "$e: legacy database and configs" setup "$e" || continue
	account_states "$e" legacy "$WORK/$e/legacy.conf" "$WORK/$e/verified.conf"
	changes "$e" legacy "$WORK/$e/legacy.conf"
	legacy_only "$e"
	# migrate mode over a fresh copy of the legacy data
	stop_daemon
	case $e in
	sqlite | odbc-sqlite) legacy_load sqlite "$WORK/$e/legacy.db" < "$WORK/$e/data.sql" ;;
	*) legacy_load "$e" "$WORK/$e/db" < "$WORK/$e/data.sql" ;;
	esac
	account_states "$e" migrate "$WORK/$e/migrate.conf" "$WORK/$e/migrate-verified.conf"
	changes "$e" migrate "$WORK/$e/migrate.conf"
	stop_daemon
done
t_section "the daemon's log"
t_nogrep "no sanitizer or allocator report" "AddressSanitizer|LeakSanitizer|runtime error|free\(\)|double free" \
	cat "$WORK/daemon.log"
t_nogrep "no password in the log" \
	"alice-pw|alice-new|bob-root-set|mike-new|heidi-ssh|dave-x|wrong-pw|alice-other" cat "$WORK/daemon.log"
t_summary
