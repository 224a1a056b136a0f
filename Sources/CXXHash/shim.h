// XXH3_64bits / XXH3_128bits are declared in xxhash.h (libxxhash-dev); xxh3.h is not used.
#include <xxhash.h>
