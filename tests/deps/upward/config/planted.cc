// A planted upward include: config must not see dns.
#include "steer/dns/provider.h"
