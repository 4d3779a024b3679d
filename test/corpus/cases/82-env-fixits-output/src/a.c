int main (void)
{
  printf ("hi\n");
  return 0;
}
