// A planted sideways include: policies must not see probes.
#include "steer/probes/engine.h"
