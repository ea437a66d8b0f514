/* connector_enum.c: (being written) */
