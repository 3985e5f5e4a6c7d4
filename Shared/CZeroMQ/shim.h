// libzmq's stable 4.3 API only: Debian's libzmq is built without ZMQ_BUILD_DRAFT_API.
#include <zmq.h>
