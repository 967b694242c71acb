/* Load driver, worker and client for the MDP benchmark. The same client and worker code shape is used against the
 * C proxy ("raw") and the Swift Majordomo broker ("mdp"), so that the broker is what differs.
 *
 *   bench worker raw ENDPOINT [SERVICE [CONNS]]
 *        DEALER worker behind the proxy with CONNS connections (default 1): echoes [id, "", body...] back
 *   bench worker mdp ENDPOINT SERVICE [CONNS]
 *        MDP/0.1 worker with CONNS connections (default 1): READY, heartbeats, REQUEST -> REPLY with the same body
 *   bench client raw|mdp ENDPOINT SERVICE REQUESTS INFLIGHT
 *        DEALER client sending ["", body...] (raw) or ["", "MDPC01", service, body...] (mdp); keeps INFLIGHT
 *        requests outstanding and prints "median_us=.. p99_us=.. rps=.. completed=.."
 * Loops are bounded by REQUESTS and a 60 s wall-clock guard.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define MAXF 16

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

typedef struct { zmq_msg_t parts[MAXF]; int count; } message;

static int recv_message(void *s, message *m) {
    m->count = 0;
    int more = 1;
    while (more && m->count < MAXF) {
        zmq_msg_init(&m->parts[m->count]);
        if (zmq_msg_recv(&m->parts[m->count], s, 0) < 0) { zmq_msg_close(&m->parts[m->count]); return -1; }
        more = zmq_msg_more(&m->parts[m->count]);
        m->count++;
    }
    return 0;
}

static void close_message(message *m) {
    for (int i = 0; i < m->count; i++) zmq_msg_close(&m->parts[i]);
    m->count = 0;
}

static void send_frame(void *s, const void *data, size_t size, int more) {
    zmq_send(s, data, size, more ? ZMQ_SNDMORE : 0);
}

#define MAXCONN 256

/* MDP/0.1 allows one request per worker connection at a time, so the MDP worker opens `conns` DEALER connections
 * (each an independent worker) and serves them all from one thread. The raw worker takes the same CONNS argument and
 * runs the same loop, so that both brokers face the same worker process (same number of connections, same polling);
 * the proxy's DEALER backend round-robins requests over the connections. */
static int worker(const char *mode, const char *endpoint, const char *service, int conns) {
    void *ctx = zmq_ctx_new();
    int mdp = strcmp(mode, "mdp") == 0;
    if (conns < 1) conns = 1;
    if (conns > MAXCONN) conns = MAXCONN;
    void *socks[MAXCONN];
    zmq_pollitem_t items[MAXCONN];
    const char ready = 1, reply = 3, heartbeat = 4;
    for (int c = 0; c < conns; c++) {
        socks[c] = zmq_socket(ctx, ZMQ_DEALER);
        int linger = 0;
        zmq_setsockopt(socks[c], ZMQ_LINGER, &linger, sizeof linger);
        zmq_connect(socks[c], endpoint);
        items[c] = (zmq_pollitem_t){socks[c], 0, ZMQ_POLLIN, 0};
        if (mdp) {
            send_frame(socks[c], "", 0, 1); send_frame(socks[c], "MDPW01", 6, 1); send_frame(socks[c], &ready, 1, 1);
            send_frame(socks[c], service, strlen(service), 0);
        }
    }
    double next_heartbeat = now_us() + 1e6;
    double give_up = now_us() + 600e6;
    message m;
    while (now_us() < give_up) {
        int rc = zmq_poll(items, conns, 100);
        if (rc < 0) break;
        if (mdp && now_us() >= next_heartbeat) {
            for (int c = 0; c < conns; c++) {
                send_frame(socks[c], "", 0, 1); send_frame(socks[c], "MDPW01", 6, 1); send_frame(socks[c], &heartbeat, 1, 0);
            }
            next_heartbeat = now_us() + 1e6;
        }
        for (int c = 0; c < conns; c++) {
            if (!(items[c].revents & ZMQ_POLLIN)) continue;
            void *s = socks[c];
            zmq_pollitem_t one = {s, 0, ZMQ_POLLIN, 0};
            while (zmq_poll(&one, 1, 0) > 0) {
                if (recv_message(s, &m) != 0) goto done;
                if (!mdp) {  /* echo the whole envelope back */
                    for (int i = 0; i < m.count; i++)
                        zmq_msg_send(&m.parts[i], s, i < m.count - 1 ? ZMQ_SNDMORE : 0);
                    m.count = 0;
                    continue;
                }
                /* ["", MDPW01, cmd, ...] */
                if (m.count >= 6 && zmq_msg_size(&m.parts[2]) == 1 && *(char *)zmq_msg_data(&m.parts[2]) == 2) {
                    send_frame(s, "", 0, 1); send_frame(s, "MDPW01", 6, 1); send_frame(s, &reply, 1, 1);
                    for (int i = 3; i < m.count; i++)
                        zmq_msg_send(&m.parts[i], s, i < m.count - 1 ? ZMQ_SNDMORE : 0);
                    m.count = 0;
                } else if (m.count >= 3 && zmq_msg_size(&m.parts[2]) == 1 && *(char *)zmq_msg_data(&m.parts[2]) == 5) {
                    close_message(&m);
                    goto done;
                }
                close_message(&m);
            }
        }
    }
done:
    for (int c = 0; c < conns; c++) zmq_close(socks[c]);
    zmq_ctx_term(ctx);
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void send_request(void *s, int mdp, const char *service, uint32_t seq) {
    char meta[64];
    int n = snprintf(meta, sizeof meta, "{\"request_id\":\"%u\"}", seq);
    static const char op[] = "bench.echo";
    static const char payload[] = "{\"customer\":\"c-1\",\"message\":\"hello from the benchmark\"}";
    send_frame(s, "", 0, 1);
    if (mdp) { send_frame(s, "MDPC01", 6, 1); send_frame(s, service, strlen(service), 1); }
    send_frame(s, op, sizeof op - 1, 1);
    send_frame(s, payload, sizeof payload - 1, 1);
    send_frame(s, &seq, sizeof seq, 1); /* sequence frame, echoed back: used to find the send time */
    send_frame(s, meta, (size_t)n, 0);
}

static int client(const char *mode, const char *endpoint, const char *service, int total, int inflight) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0, hwm = 100000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_connect(s, endpoint);
    int mdp = strcmp(mode, "mdp") == 0;
    int seq_index = mdp ? 5 : 3;  /* "" [MDPC01 service] op payload seq meta */
    double *sent_at = calloc((size_t)total, sizeof(double));
    double *rtt = calloc((size_t)total, sizeof(double));
    int sent = 0, done = 0, ok = 1;
    double start = now_us(), guard = start + 60e6;
    message m;
    while (done < total && now_us() < guard) {
        while (sent < total && sent - done < inflight) {
            sent_at[sent] = now_us();
            send_request(s, mdp, service, (uint32_t)sent);
            sent++;
        }
        zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, 1000) <= 0) continue;
        if (recv_message(s, &m) != 0) break;
        if (m.count > seq_index && zmq_msg_size(&m.parts[seq_index]) == sizeof(uint32_t)) {
            uint32_t seq;
            memcpy(&seq, zmq_msg_data(&m.parts[seq_index]), sizeof seq);
            if (seq < (uint32_t)total) rtt[done] = now_us() - sent_at[seq];
            done++;
        } else {
            ok = 0;  /* an error reply (e.g. 503) or something unexpected */
            done++;
        }
        close_message(&m);
    }
    double elapsed = (now_us() - start) / 1e6;
    qsort(rtt, (size_t)done, sizeof(double), cmp_double);
    double median = done ? rtt[done / 2] : 0, p99 = done ? rtt[(int)(done * 0.99) < done ? (int)(done * 0.99) : done - 1] : 0;
    printf("median_us=%.1f p99_us=%.1f rps=%.0f completed=%d ok=%d\n", median, p99, done / elapsed, done,
           ok && done == total);
    zmq_close(s);
    zmq_ctx_term(ctx);
    return ok && done == total ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "worker") == 0)
        return worker(argv[2], argv[3], argc > 4 ? argv[4] : "bench", argc > 5 ? atoi(argv[5]) : 1);
    if (argc >= 7 && strcmp(argv[1], "client") == 0)
        return client(argv[2], argv[3], argv[4], atoi(argv[5]), atoi(argv[6]));
    fprintf(stderr, "usage: bench worker raw|mdp ENDPOINT [SERVICE [CONNS]] | bench client raw|mdp ENDPOINT SERVICE N INFLIGHT\n");
    return 2;
}
