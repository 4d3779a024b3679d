int implicit_output;
