/* confdefs.h */
#define PACKAGE_NAME "corpus"
int main (void) { return 0; }
