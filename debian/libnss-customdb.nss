# customdb after files: root and local users never depend on customdbd.
# No initgroups line: Debian's nsswitch.conf has none, and glibc then takes
# the group line's services for initgroups (customdb's included).
passwd	after=files	customdb
group	after=files	customdb
