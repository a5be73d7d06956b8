// glibc's malloc interface (malloc.h is not part of the Glibc module): mallinfo2, malloc_trim, mallopt.
#include <malloc.h>
