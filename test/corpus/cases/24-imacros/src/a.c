int v = FROM_IMACROS;
int discarded_declaration = 2;  /* no redefinition: imacros output is dropped */
