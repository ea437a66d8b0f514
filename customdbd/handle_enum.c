/* handle_enum.c: (being written) */
