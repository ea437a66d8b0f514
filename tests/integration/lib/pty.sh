# pty.sh: run a program on a terminal (expect), answering its prompts (bash).
#
#   pty ANSWERS CMD...   run CMD on a pty; each prompt that ends in
#                        "password:" (either case) or "[y/N]" gets the next
#                        line of ANSWERS. Prints what CMD wrote (a copy in
#                        $WORK/pty.log; the expect script is $WORK/pty.exp)
#                        and returns CMD's exit status: 2 on a
#                        timeout (20 s), 3 on a prompt with no answer left.

_PTY_EXPECT='
set timeout 20
set answers [split $env(PTY_ANSWERS) "\n"]
set i 0
spawn {*}$argv
expect {
	-re {([Pp]assword: ?|\[y/N\] ?)$} {
		if {$i >= [llength $answers]} { puts "\nNO ANSWER LEFT"; exit 3 }
		send -- "[lindex $answers $i]\r"
		incr i
		exp_continue
	}
	timeout { puts "\nTIMEOUT"; exit 2 }
	eof
}
catch wait result
exit [lindex $result 3]
'

pty() {
	local answers=$1; shift
	[ -e "$WORK/pty.exp" ] || printf '%s' "$_PTY_EXPECT" > "$WORK/pty.exp"
	PTY_ANSWERS=$answers expect -f "$WORK/pty.exp" -- "$@" | tee "$WORK/pty.log"
	return "${PIPESTATUS[0]}"
}
