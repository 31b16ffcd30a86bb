/*
 * A minimal flight software in C for kamo's SIL harness (docs/sil-protocol.md).
 *
 * It connects to the plant, reads packets, prints the navigation solution and
 * the altimeter range it receives, and answers every SIM_STEP with one
 * THRUSTER_CMD (thruster 8, "+z A", at 50 % duty) and SIM_STEP_DONE. It stops at
 * SIM_END. No dependencies beyond POSIX sockets.
 *
 *   cc -O2 -o sil_client examples/sil_client.c
 *   kamo sil run nominal --fsw "./sil_client {host} {port}" --max-steps 5
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define APID_SIM_HELLO 0x010
#define APID_SIM_STEP 0x011
#define APID_SIM_STEP_DONE 0x012
#define APID_SIM_END 0x013
#define APID_NAV 0x020
#define APID_ALTIMETER 0x021
#define APID_THRUSTER_CMD 0x040
#define TM_PREFIX 19 /* primary header 6 + PUS-C TM header 7 + CUC 4+2 */

/* CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF (PUS packet error control). */
static uint16_t crc16(const uint8_t *p, size_t n) {
    uint16_t crc = 0xFFFF;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint16_t)p[i] << 8;
        for (int b = 0; b < 8; b++) crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

static uint32_t get_u32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static double get_f64(const uint8_t *p) {
    uint64_t u = 0;
    double d;
    for (int i = 0; i < 8; i++) u = (u << 8) | p[i];
    memcpy(&d, &u, 8);
    return d;
}
static uint8_t *put_u16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xFF; return p + 2; }
static uint8_t *put_u32(uint8_t *p, uint32_t v) { p = put_u16(p, v >> 16); return put_u16(p, v & 0xFFFF); }
static uint8_t *put_f64(uint8_t *p, double d) {
    uint64_t u;
    memcpy(&u, &d, 8);
    for (int i = 7; i >= 0; i--) *p++ = (uint8_t)(u >> (8 * i));
    return p;
}

/* One SIL TM packet: header, PUS-C TM header, the CUC time copied from the step, payload, CRC. */
static size_t tm_packet(uint8_t *out, uint16_t apid, uint8_t service, uint8_t subtype, uint16_t seq,
                        const uint8_t *cuc, const uint8_t *payload, size_t n) {
    size_t body = 7 + 6 + n;
    uint8_t *p = out;
    p = put_u16(p, 0x0800 | apid);          /* version 0, type TM, secondary header, APID */
    p = put_u16(p, 0xC000 | (seq & 0x3FFF)); /* unsegmented, sequence count */
    p = put_u16(p, (uint16_t)(body + 2 - 1)); /* data length - 1, CRC included */
    *p++ = 0x20;                              /* PUS version 2, time reference status 0 */
    *p++ = service;
    *p++ = subtype;
    p = put_u16(p, 0);                        /* message type counter */
    p = put_u16(p, 0);                        /* destination id */
    memcpy(p, cuc, 6);
    p += 6;
    memcpy(p, payload, n);
    p += n;
    uint16_t crc = crc16(out, (size_t)(p - out));
    p = put_u16(p, crc);
    return (size_t)(p - out);
}

static int read_full(int fd, uint8_t *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, buf + got, n - got, 0);
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s HOST PORT\n", argv[0]);
        return 2;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("connect");
        return 1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    static uint8_t pkt[65536 + 7], out[512];
    uint16_t seq_cmd = 0, seq_done = 0;
    long crc_errors = 0;
    for (;;) {
        if (read_full(fd, pkt, 6) != 0) break;
        uint16_t apid = (uint16_t)(((pkt[0] & 0x07) << 8) | pkt[1]);
        size_t len = 7u + (size_t)((pkt[4] << 8) | pkt[5]);
        if (read_full(fd, pkt + 6, len - 6) != 0) break;
        int is_tc = (pkt[0] >> 4) & 1;
        if (!is_tc && crc16(pkt, len) != 0) { crc_errors++; continue; }
        const uint8_t *data = pkt + TM_PREFIX;
        if (apid == APID_NAV) {
            printf("nav r_m %.17g %.17g %.17g\n", get_f64(data), get_f64(data + 8), get_f64(data + 16));
        } else if (apid == APID_ALTIMETER) {
            if (data[0]) printf("altimeter %.17g\n", get_f64(data + 1));
            else printf("altimeter none\n");
        } else if (apid == APID_SIM_STEP) {
            uint32_t step = get_u32(data);
            double t = get_f64(data + 4);
            const uint8_t *cuc = pkt + 13;
            uint8_t payload[13 * 8], *p = payload;
            for (int i = 0; i < 12; i++) p = put_f64(p, i == 8 ? 0.5 : 0.0); /* duty cycles */
            p = put_f64(p, 1.0);                                           /* duration, s */
            size_t n = tm_packet(out, APID_THRUSTER_CMD, 131, 1, seq_cmd++, cuc, payload, (size_t)(p - payload));
            uint8_t done[4 + 8 + 2 + 1 + 1], *q = done;
            q = put_u32(q, step);
            q = put_f64(q, t);
            q = put_u16(q, 1); /* one data packet before STEP_DONE */
            *q++ = 0;          /* mode code (approach) */
            *q++ = 0;          /* status: none */
            n += tm_packet(out + n, APID_SIM_STEP_DONE, 128, 3, seq_done++, cuc, done, sizeof done);
            if (send(fd, out, n, 0) != (ssize_t)n) { perror("send"); return 1; }
            printf("step %u t %.17g\n", step, t);
        } else if (apid == APID_SIM_END) {
            printf("end after step %u, %ld CRC errors\n", get_u32(data), crc_errors);
            break;
        }
    }
    fflush(stdout);
    close(fd);
    return 0;
}
