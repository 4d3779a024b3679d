BEGIN {
  print "#pragma once";
  line = "/* padding padding padding padding padding padding padding padding padding padding padding */";
  for (i = 0; i < 150000; i++) { print line; printf "#define BIG_MACRO_%d (%d + 1)\n", i, i; }
  print "static const unsigned int big_table[] = {";
  for (i = 0; i < 100000; i++) printf "%d,\n", (i * 2654435761) % 4294967296;
  print "};";
}
