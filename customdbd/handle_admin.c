/* handle_admin.c: (being written) */
