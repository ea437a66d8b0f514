# valgrind.sh: with NSS_VALGRIND=1, every NSS client a suite starts runs
# under valgrind memcheck with the module loaded (bash; sourced by setup.sh
# once PROBE and ENUM_PROBE are set).
#
# getent and id are found first on PATH as small wrappers, so that every way
# a suite calls them (directly, through env, bash -c, setpriv) goes through
# valgrind; PROBE and ENUM_PROBE point at wrappers of the same kind. Each
# run writes its report to VG_DIR; t_summary (assert.sh) calls vg_check,
# which fails the suite on any memcheck error and names the reports.
#
#   vg_check   0 when no client reported an error (or NSS_VALGRIND is off)

VG_DIR=
if [ "${NSS_VALGRIND:-}" = 1 ]; then
	command -v valgrind >/dev/null ||
		{ echo "$(basename "$0"): NSS_VALGRIND=1 needs valgrind" >&2; exit 2; }
	VG_DIR=$(mktemp -d /tmp/customdb-valgrind.XXXXXX)
	chmod 1777 "$VG_DIR"   # clients run as other users too (setpriv)
	mkdir -m 755 "$VG_DIR/bin"
	_vg_wrap() {   # NAME PROGRAM
		printf '%s\n' '#!/bin/sh' \
			"exec valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \\" \
			"	--errors-for-leak-kinds=definite --log-file=$VG_DIR/$1.%p.log \\" \
			"	$2 \"\$@\"" > "$VG_DIR/bin/$1"
		chmod 755 "$VG_DIR/bin/$1"
	}
	_vg_wrap getent "$(command -v getent)"
	_vg_wrap id "$(command -v id)"
	_vg_wrap nss_probe "$PROBE"
	_vg_wrap nss_enum_probe "$ENUM_PROBE"
	PROBE=$VG_DIR/bin/nss_probe
	ENUM_PROBE=$VG_DIR/bin/nss_enum_probe
	export PATH="$VG_DIR/bin:$PATH"
fi

vg_check() {
	local bad n
	[ -n "$VG_DIR" ] || return 0
	n=$(find "$VG_DIR" -maxdepth 1 -name '*.log' | wc -l)
	bad=$(grep -L 'ERROR SUMMARY: 0 errors' "$VG_DIR"/*.log 2>/dev/null)
	printf '\nvalgrind: %d NSS client runs under memcheck, %d with errors\n' \
		"$n" "$(printf '%s' "$bad" | grep -c .)"
	if [ -n "$bad" ]; then
		# shellcheck disable=SC2086
		grep -h -B2 -A25 -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|[0-9,]+ bytes .* definitely)' \
			$bad | head -200
		echo "valgrind: the reports are kept in $VG_DIR"
		return 1
	fi
	rm -rf "$VG_DIR"
	[ "$n" -gt 0 ]
}
