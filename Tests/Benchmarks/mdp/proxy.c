/* Baseline broker: a ROUTER frontend and a DEALER backend joined by zmq_proxy (no MDP logic at all).
 * usage: proxy <frontend-endpoint> <backend-endpoint>   (runs until killed) */
#include <stdio.h>
#include <zmq.h>

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: proxy FRONTEND BACKEND\n"); return 2; }
    void *ctx = zmq_ctx_new();
    void *front = zmq_socket(ctx, ZMQ_ROUTER);
    void *back = zmq_socket(ctx, ZMQ_DEALER);
    int hwm = 100000;
    zmq_setsockopt(front, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(front, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(back, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(back, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (zmq_bind(front, argv[1]) != 0 || zmq_bind(back, argv[2]) != 0) {
        fprintf(stderr, "bind: %s\n", zmq_strerror(zmq_errno()));
        return 1;
    }
    zmq_proxy(front, back, NULL);
    return 0;
}
