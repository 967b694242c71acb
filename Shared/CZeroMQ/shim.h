#ifndef CONCIERGE_CZEROMQ_SHIM_H
#define CONCIERGE_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
