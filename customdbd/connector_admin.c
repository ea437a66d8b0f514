/* connector_admin.c: (being written) */
