/* SPDX-License-Identifier: ISC */
/*
 * test_tls_hello - the cipher-suite table, the ClientHello encoders, the
 * server-flight parser and the classifier.
 *
 * Real flights were captured on loopback from OpenSSL 3.0 s_server (TLS 1.2
 * ECDHE-RSA-AES128-GCM-SHA256) and GnuTLS 3.7 gnutls-serv (TLS 1.0
 * RC4-SHA), both answering hellos made by tls_hello_encode(). SSLv3 and
 * SSLv2 flights, which no current server library produces, are built here
 * from RFC 6101 and draft-hickman-netscape-ssl-00. Hellos are checked by a
 * small server-side parser written below, independently of the module.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pkt.h"

#include "proto/tls_hello.h"
#include "proto/tls_suites.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* OpenSSL 3.0.19 s_server -tls1_2: ServerHello, Certificate,
 * ServerKeyExchange, ServerHelloDone */
static const uint8_t real_tls12_ecdhe_rsa[1218] = { 0x16, 0x03, 0x03, 0x00,
	0x5d, 0x02, 0x00, 0x00, 0x59, 0x03, 0x03, 0x4b, 0x72, 0xca, 0xfe, 0xaa,
	0xf0, 0xad, 0x41, 0xc9, 0x58, 0x1d, 0x8d, 0xe5, 0xd3, 0x28, 0xda, 0x3d,
	0x04, 0x29, 0xc2, 0x11, 0x9a, 0x89, 0x20, 0x88, 0xc6, 0xd0, 0xc4, 0x56,
	0x4f, 0x90, 0x15, 0x20, 0xab, 0x02, 0xbe, 0xc5, 0x81, 0xf3, 0x6f, 0xe7,
	0x64, 0x74, 0xbe, 0x1a, 0xdb, 0xdd, 0x4b, 0x15, 0x52, 0x01, 0xc9, 0xec,
	0x74, 0x9c, 0x85, 0xe7, 0x03, 0xa9, 0xc1, 0xa8, 0x2f, 0x2a, 0xfd, 0x79,
	0xc0, 0x2f, 0x00, 0x00, 0x11, 0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0b,
	0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x17, 0x00, 0x00, 0x16, 0x03,
	0x03, 0x03, 0x21, 0x0b, 0x00, 0x03, 0x1d, 0x00, 0x03, 0x1a, 0x00, 0x03,
	0x17, 0x30, 0x82, 0x03, 0x13, 0x30, 0x82, 0x01, 0xfb, 0xa0, 0x03, 0x02,
	0x01, 0x02, 0x02, 0x14, 0x7e, 0x65, 0x07, 0xe9, 0xd8, 0x29, 0x5f, 0x18,
	0x2e, 0x87, 0xb0, 0xbb, 0xa8, 0x2e, 0x90, 0xb9, 0xe4, 0x97, 0x15, 0x36,
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
	0x0b, 0x05, 0x00, 0x30, 0x19, 0x31, 0x17, 0x30, 0x15, 0x06, 0x03, 0x55,
	0x04, 0x03, 0x0c, 0x0e, 0x6d, 0x78, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70,
	0x6c, 0x65, 0x2e, 0x6f, 0x72, 0x67, 0x30, 0x1e, 0x17, 0x0d, 0x32, 0x36,
	0x31, 0x31, 0x32, 0x38, 0x31, 0x37, 0x33, 0x32, 0x35, 0x35, 0x5a, 0x17,
	0x0d, 0x33, 0x36, 0x31, 0x31, 0x32, 0x35, 0x31, 0x37, 0x33, 0x32, 0x35,
	0x35, 0x5a, 0x30, 0x19, 0x31, 0x17, 0x30, 0x15, 0x06, 0x03, 0x55, 0x04,
	0x03, 0x0c, 0x0e, 0x6d, 0x78, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c,
	0x65, 0x2e, 0x6f, 0x72, 0x67, 0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06,
	0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
	0x03, 0x82, 0x01, 0x0f, 0x00, 0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01,
	0x01, 0x00, 0xb7, 0x1c, 0x2c, 0x99, 0xda, 0xe1, 0xae, 0x37, 0x84, 0xf1,
	0xc9, 0x12, 0xa9, 0x9d, 0xef, 0xe8, 0xe5, 0x4e, 0x85, 0x95, 0xf0, 0xc1,
	0xf8, 0xeb, 0xf0, 0xd7, 0x0f, 0x06, 0x07, 0xd2, 0x67, 0x64, 0x88, 0x62,
	0xeb, 0x65, 0xf9, 0x2e, 0xa8, 0x5f, 0xf5, 0xca, 0xe9, 0xa2, 0x30, 0x3c,
	0x87, 0xf0, 0xb5, 0x8d, 0x1e, 0xf4, 0x07, 0x1b, 0xf0, 0x7b, 0x65, 0x55,
	0x5a, 0x53, 0xfb, 0x76, 0x83, 0x1e, 0xae, 0xac, 0x3a, 0xf1, 0x69, 0x4b,
	0xce, 0x5e, 0x24, 0x78, 0xab, 0x7e, 0x19, 0x1d, 0xd6, 0x83, 0x29, 0xe5,
	0x29, 0xcd, 0xd9, 0x1f, 0x8f, 0xe2, 0x5a, 0xbe, 0x7f, 0x6a, 0xd7, 0xc4,
	0x52, 0x99, 0xf5, 0xce, 0xa7, 0x18, 0x28, 0x92, 0xdc, 0x05, 0xdc, 0x30,
	0x64, 0x4a, 0x1b, 0x5c, 0x6f, 0x7e, 0x3b, 0xe6, 0x78, 0xb5, 0x2c, 0x8b,
	0x63, 0xbf, 0x9c, 0xd7, 0xa4, 0xfa, 0xb8, 0x8e, 0x67, 0x9f, 0x77, 0xf8,
	0x5d, 0x1e, 0x58, 0xd6, 0xa9, 0x41, 0x07, 0x57, 0x76, 0x5d, 0xbf, 0x45,
	0xef, 0xcb, 0xe4, 0x1d, 0xb3, 0x6e, 0x7f, 0xcb, 0x86, 0x21, 0xd3, 0x71,
	0x07, 0xaf, 0x4e, 0x29, 0x6b, 0xec, 0xc3, 0xd7, 0x43, 0x0e, 0x4b, 0x6f,
	0x48, 0x83, 0xb3, 0x12, 0x39, 0x8c, 0x49, 0xe7, 0x33, 0x84, 0xf3, 0x1e,
	0xf6, 0xe7, 0x2b, 0x7e, 0x2c, 0xf6, 0x1a, 0x2b, 0x3e, 0x41, 0xc7, 0xbf,
	0x1b, 0xb5, 0x6b, 0x31, 0x6e, 0x69, 0xde, 0x72, 0xaa, 0xe8, 0xa7, 0xca,
	0x81, 0x88, 0xe7, 0x71, 0xa1, 0x70, 0xa0, 0x68, 0x81, 0x80, 0xd5, 0x75,
	0xdd, 0xd6, 0x14, 0x38, 0xb6, 0x11, 0x22, 0x7b, 0x01, 0x2c, 0x74, 0xb5,
	0x30, 0xe6, 0x6a, 0x10, 0x16, 0xe8, 0x90, 0xab, 0xa7, 0x48, 0x15, 0x62,
	0x8d, 0xc4, 0xb5, 0x15, 0x8c, 0x29, 0x61, 0x55, 0x49, 0xbf, 0x22, 0xcc,
	0xa3, 0x2d, 0x8b, 0x79, 0x2b, 0x8f, 0x02, 0x03, 0x01, 0x00, 0x01, 0xa3,
	0x53, 0x30, 0x51, 0x30, 0x1d, 0x06, 0x03, 0x55, 0x1d, 0x0e, 0x04, 0x16,
	0x04, 0x14, 0xe7, 0x9b, 0x04, 0xf8, 0xe6, 0xae, 0x67, 0xda, 0x6f, 0x94,
	0x63, 0x0e, 0xba, 0x3c, 0x18, 0x83, 0xa8, 0xc8, 0x60, 0x56, 0x30, 0x1f,
	0x06, 0x03, 0x55, 0x1d, 0x23, 0x04, 0x18, 0x30, 0x16, 0x80, 0x14, 0xe7,
	0x9b, 0x04, 0xf8, 0xe6, 0xae, 0x67, 0xda, 0x6f, 0x94, 0x63, 0x0e, 0xba,
	0x3c, 0x18, 0x83, 0xa8, 0xc8, 0x60, 0x56, 0x30, 0x0f, 0x06, 0x03, 0x55,
	0x1d, 0x13, 0x01, 0x01, 0xff, 0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff,
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
	0x0b, 0x05, 0x00, 0x03, 0x82, 0x01, 0x01, 0x00, 0x14, 0xee, 0x02, 0x70,
	0xe9, 0xac, 0xd9, 0x20, 0x00, 0x49, 0x78, 0x60, 0x35, 0x8d, 0xc9, 0x17,
	0x9a, 0x61, 0x92, 0x28, 0x03, 0x2a, 0xe0, 0xd8, 0x0f, 0x02, 0x7c, 0x9d,
	0x18, 0x03, 0x7e, 0x91, 0xd0, 0x36, 0x09, 0xa3, 0x09, 0xcf, 0x2d, 0x56,
	0x93, 0xec, 0xa8, 0x7d, 0x03, 0x2a, 0x9a, 0xc8, 0xd8, 0xf9, 0xe3, 0xe9,
	0xfa, 0x97, 0x4f, 0x1d, 0x46, 0xf7, 0x70, 0xde, 0x00, 0x01, 0xd1, 0xc7,
	0x20, 0x88, 0xca, 0xb4, 0xbb, 0xf3, 0x7b, 0xf7, 0xc8, 0xb6, 0x22, 0xf0,
	0x7a, 0x31, 0x23, 0xf9, 0x8b, 0x3f, 0x57, 0xf0, 0xe6, 0x3e, 0x7d, 0xd6,
	0xa6, 0xc2, 0x9c, 0xa4, 0xc4, 0xd7, 0x46, 0x89, 0x60, 0xd3, 0xe9, 0x9a,
	0xa1, 0xb6, 0xd1, 0x9c, 0x06, 0xd0, 0xb7, 0xad, 0x93, 0x45, 0x10, 0xdf,
	0x65, 0x84, 0x7a, 0xcd, 0xfb, 0x38, 0x7c, 0xe1, 0xde, 0x61, 0xd7, 0x25,
	0x90, 0x94, 0xb5, 0x42, 0x34, 0xc6, 0x05, 0x98, 0xcf, 0xba, 0x06, 0x08,
	0x4c, 0x6f, 0xc9, 0x94, 0xf6, 0x78, 0xc8, 0xaa, 0x11, 0xd2, 0xe7, 0x99,
	0x1c, 0x7a, 0x9c, 0x17, 0x51, 0x01, 0x81, 0xe4, 0x0c, 0x95, 0x24, 0x81,
	0x66, 0x94, 0x4a, 0xd8, 0x88, 0x1a, 0xc1, 0x7d, 0xb2, 0xbd, 0x46, 0xae,
	0x6b, 0xc0, 0x28, 0x75, 0xad, 0xae, 0xe0, 0x40, 0xce, 0x5d, 0xb9, 0xb1,
	0x95, 0xaa, 0x97, 0x64, 0x84, 0x84, 0x5c, 0x59, 0xa8, 0x95, 0x08, 0xdb,
	0xe7, 0x6c, 0x4f, 0x4e, 0x7c, 0xdf, 0x65, 0xa2, 0x52, 0x2f, 0xca, 0xbc,
	0x2b, 0x45, 0x15, 0x32, 0x1f, 0x3b, 0xfc, 0x4c, 0x56, 0x04, 0x70, 0x5f,
	0xc7, 0x5a, 0x1d, 0x97, 0x82, 0x3c, 0xbe, 0x9d, 0x9f, 0x89, 0x5a, 0xb7,
	0xb6, 0x9b, 0x02, 0xf6, 0x1e, 0xf8, 0x6d, 0x3f, 0x87, 0x4c, 0x75, 0x1c,
	0x5e, 0x4e, 0x13, 0x74, 0xcc, 0x50, 0xde, 0x6e, 0xb5, 0x54, 0xf1, 0x42,
	0x16, 0x03, 0x03, 0x01, 0x2c, 0x0c, 0x00, 0x01, 0x28, 0x03, 0x00, 0x1d,
	0x20, 0xdd, 0xe9, 0x3e, 0x4a, 0xca, 0x6f, 0xa6, 0x1e, 0xaf, 0x2f, 0x47,
	0x09, 0x6e, 0xd6, 0x9b, 0x72, 0xca, 0x63, 0x6d, 0x23, 0xfd, 0xb8, 0xbf,
	0x5b, 0x26, 0x44, 0xeb, 0xcd, 0x65, 0x6d, 0x5e, 0x14, 0x08, 0x04, 0x01,
	0x00, 0x68, 0x7d, 0xce, 0x72, 0x20, 0x25, 0x98, 0x14, 0x0c, 0xe8, 0x43,
	0x25, 0x76, 0x80, 0xd8, 0x4e, 0x7c, 0x8f, 0x3d, 0xf9, 0xf0, 0x52, 0x61,
	0xed, 0xeb, 0xe2, 0x51, 0xfb, 0xc8, 0x88, 0xa2, 0xad, 0x91, 0x15, 0x15,
	0xfc, 0x8f, 0xb0, 0x08, 0x81, 0x38, 0x39, 0xc6, 0x41, 0x4a, 0x9a, 0x91,
	0x19, 0x83, 0x41, 0x55, 0x69, 0x9e, 0x62, 0xc4, 0xfd, 0x6b, 0x97, 0xa2,
	0x15, 0xf5, 0x64, 0x15, 0x89, 0xb8, 0x70, 0x03, 0x2a, 0x26, 0xe7, 0x32,
	0xd5, 0xa8, 0xba, 0x74, 0xbb, 0xbc, 0x15, 0x9e, 0x2b, 0xc8, 0xef, 0x67,
	0xac, 0x21, 0x2d, 0x9f, 0x7b, 0xb5, 0x85, 0xf8, 0x02, 0x4d, 0x75, 0xde,
	0x53, 0x50, 0x8c, 0x07, 0x49, 0x22, 0x97, 0x9d, 0x82, 0xd3, 0x1a, 0x33,
	0x38, 0x24, 0x6e, 0x49, 0x8b, 0xd1, 0x67, 0xb6, 0x77, 0x6e, 0xb9, 0x5b,
	0xa0, 0x68, 0xe7, 0x73, 0x60, 0x9c, 0x9c, 0x13, 0xd2, 0x6d, 0x22, 0x71,
	0xb2, 0x54, 0x2e, 0xc3, 0x6b, 0xf7, 0x0d, 0xaa, 0x63, 0x53, 0xfe, 0x44,
	0xa6, 0xdc, 0x97, 0x3c, 0xa4, 0x20, 0xbd, 0x7b, 0x7a, 0xdb, 0x5a, 0x72,
	0x17, 0xa6, 0xcc, 0x22, 0xfb, 0x52, 0x58, 0x80, 0x47, 0xd2, 0xa3, 0x8e,
	0xfa, 0x4a, 0xd3, 0x88, 0x84, 0x3e, 0x74, 0x26, 0x56, 0x11, 0x6e, 0x73,
	0x0d, 0xeb, 0x8e, 0x2c, 0xf3, 0x97, 0xe6, 0xba, 0xed, 0x92, 0x48, 0x97,
	0x5d, 0x19, 0x6c, 0x5c, 0x59, 0x5d, 0x1c, 0xc7, 0x62, 0xb3, 0xfe, 0x49,
	0xe5, 0x8c, 0x42, 0x27, 0xdb, 0x3e, 0xe8, 0x99, 0xbe, 0xb6, 0x2b, 0xb9,
	0x5a, 0x39, 0x0b, 0xf2, 0x41, 0x0d, 0xea, 0x76, 0x99, 0xa1, 0xb4, 0x1a,
	0xda, 0xc6, 0x51, 0xde, 0xfd, 0xc2, 0xe1, 0x61, 0xc2, 0x63, 0x3e, 0x03,
	0xb4, 0xce, 0x7d, 0xe6, 0x50, 0x39, 0xa9, 0x98, 0xff, 0x24, 0xa1, 0xcf,
	0xe8, 0x85, 0x86, 0x5e, 0x3b, 0x16, 0x03, 0x03, 0x00, 0x04, 0x0e, 0x00,
	0x00, 0x00 };

/* GnuTLS 3.7.9 gnutls-serv, TLS 1.0 only, RC4-SHA: ServerHello,
 * Certificate, CertificateRequest, ServerHelloDone */
static const uint8_t real_tls10_rc4[920] = { 0x16, 0x03, 0x01, 0x00, 0x55, 0x02,
	0x00, 0x00, 0x51, 0x03, 0x01, 0xca, 0x66, 0xf6, 0xfc, 0x80, 0x34, 0xbe,
	0xf2, 0xd3, 0xb4, 0x93, 0x95, 0xfe, 0x04, 0x56, 0x3f, 0xb4, 0xd2, 0xba,
	0xc7, 0xc5, 0xaa, 0x4e, 0xbb, 0x3b, 0x81, 0x2e, 0x80, 0x94, 0x38, 0xbf,
	0x40, 0x20, 0x31, 0xee, 0xdd, 0x6b, 0x3c, 0x93, 0xe1, 0xa1, 0x7e, 0x8d,
	0xb8, 0x55, 0x18, 0x41, 0x8d, 0x9e, 0x73, 0x9d, 0x53, 0xc3, 0x0e, 0xbf,
	0xb3, 0x6e, 0x30, 0xe3, 0x1f, 0xbf, 0xf4, 0x92, 0xb7, 0xdf, 0x00, 0x05,
	0x00, 0x00, 0x09, 0x00, 0x17, 0x00, 0x00, 0xff, 0x01, 0x00, 0x01, 0x00,
	0x16, 0x03, 0x01, 0x03, 0x21, 0x0b, 0x00, 0x03, 0x1d, 0x00, 0x03, 0x1a,
	0x00, 0x03, 0x17, 0x30, 0x82, 0x03, 0x13, 0x30, 0x82, 0x01, 0xfb, 0xa0,
	0x03, 0x02, 0x01, 0x02, 0x02, 0x14, 0x7e, 0x65, 0x07, 0xe9, 0xd8, 0x29,
	0x5f, 0x18, 0x2e, 0x87, 0xb0, 0xbb, 0xa8, 0x2e, 0x90, 0xb9, 0xe4, 0x97,
	0x15, 0x36, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x01, 0x0b, 0x05, 0x00, 0x30, 0x19, 0x31, 0x17, 0x30, 0x15, 0x06,
	0x03, 0x55, 0x04, 0x03, 0x0c, 0x0e, 0x6d, 0x78, 0x2e, 0x65, 0x78, 0x61,
	0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72, 0x67, 0x30, 0x1e, 0x17, 0x0d,
	0x32, 0x36, 0x31, 0x31, 0x32, 0x38, 0x31, 0x37, 0x33, 0x32, 0x35, 0x35,
	0x5a, 0x17, 0x0d, 0x33, 0x36, 0x31, 0x31, 0x32, 0x35, 0x31, 0x37, 0x33,
	0x32, 0x35, 0x35, 0x5a, 0x30, 0x19, 0x31, 0x17, 0x30, 0x15, 0x06, 0x03,
	0x55, 0x04, 0x03, 0x0c, 0x0e, 0x6d, 0x78, 0x2e, 0x65, 0x78, 0x61, 0x6d,
	0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72, 0x67, 0x30, 0x82, 0x01, 0x22, 0x30,
	0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
	0x05, 0x00, 0x03, 0x82, 0x01, 0x0f, 0x00, 0x30, 0x82, 0x01, 0x0a, 0x02,
	0x82, 0x01, 0x01, 0x00, 0xb7, 0x1c, 0x2c, 0x99, 0xda, 0xe1, 0xae, 0x37,
	0x84, 0xf1, 0xc9, 0x12, 0xa9, 0x9d, 0xef, 0xe8, 0xe5, 0x4e, 0x85, 0x95,
	0xf0, 0xc1, 0xf8, 0xeb, 0xf0, 0xd7, 0x0f, 0x06, 0x07, 0xd2, 0x67, 0x64,
	0x88, 0x62, 0xeb, 0x65, 0xf9, 0x2e, 0xa8, 0x5f, 0xf5, 0xca, 0xe9, 0xa2,
	0x30, 0x3c, 0x87, 0xf0, 0xb5, 0x8d, 0x1e, 0xf4, 0x07, 0x1b, 0xf0, 0x7b,
	0x65, 0x55, 0x5a, 0x53, 0xfb, 0x76, 0x83, 0x1e, 0xae, 0xac, 0x3a, 0xf1,
	0x69, 0x4b, 0xce, 0x5e, 0x24, 0x78, 0xab, 0x7e, 0x19, 0x1d, 0xd6, 0x83,
	0x29, 0xe5, 0x29, 0xcd, 0xd9, 0x1f, 0x8f, 0xe2, 0x5a, 0xbe, 0x7f, 0x6a,
	0xd7, 0xc4, 0x52, 0x99, 0xf5, 0xce, 0xa7, 0x18, 0x28, 0x92, 0xdc, 0x05,
	0xdc, 0x30, 0x64, 0x4a, 0x1b, 0x5c, 0x6f, 0x7e, 0x3b, 0xe6, 0x78, 0xb5,
	0x2c, 0x8b, 0x63, 0xbf, 0x9c, 0xd7, 0xa4, 0xfa, 0xb8, 0x8e, 0x67, 0x9f,
	0x77, 0xf8, 0x5d, 0x1e, 0x58, 0xd6, 0xa9, 0x41, 0x07, 0x57, 0x76, 0x5d,
	0xbf, 0x45, 0xef, 0xcb, 0xe4, 0x1d, 0xb3, 0x6e, 0x7f, 0xcb, 0x86, 0x21,
	0xd3, 0x71, 0x07, 0xaf, 0x4e, 0x29, 0x6b, 0xec, 0xc3, 0xd7, 0x43, 0x0e,
	0x4b, 0x6f, 0x48, 0x83, 0xb3, 0x12, 0x39, 0x8c, 0x49, 0xe7, 0x33, 0x84,
	0xf3, 0x1e, 0xf6, 0xe7, 0x2b, 0x7e, 0x2c, 0xf6, 0x1a, 0x2b, 0x3e, 0x41,
	0xc7, 0xbf, 0x1b, 0xb5, 0x6b, 0x31, 0x6e, 0x69, 0xde, 0x72, 0xaa, 0xe8,
	0xa7, 0xca, 0x81, 0x88, 0xe7, 0x71, 0xa1, 0x70, 0xa0, 0x68, 0x81, 0x80,
	0xd5, 0x75, 0xdd, 0xd6, 0x14, 0x38, 0xb6, 0x11, 0x22, 0x7b, 0x01, 0x2c,
	0x74, 0xb5, 0x30, 0xe6, 0x6a, 0x10, 0x16, 0xe8, 0x90, 0xab, 0xa7, 0x48,
	0x15, 0x62, 0x8d, 0xc4, 0xb5, 0x15, 0x8c, 0x29, 0x61, 0x55, 0x49, 0xbf,
	0x22, 0xcc, 0xa3, 0x2d, 0x8b, 0x79, 0x2b, 0x8f, 0x02, 0x03, 0x01, 0x00,
	0x01, 0xa3, 0x53, 0x30, 0x51, 0x30, 0x1d, 0x06, 0x03, 0x55, 0x1d, 0x0e,
	0x04, 0x16, 0x04, 0x14, 0xe7, 0x9b, 0x04, 0xf8, 0xe6, 0xae, 0x67, 0xda,
	0x6f, 0x94, 0x63, 0x0e, 0xba, 0x3c, 0x18, 0x83, 0xa8, 0xc8, 0x60, 0x56,
	0x30, 0x1f, 0x06, 0x03, 0x55, 0x1d, 0x23, 0x04, 0x18, 0x30, 0x16, 0x80,
	0x14, 0xe7, 0x9b, 0x04, 0xf8, 0xe6, 0xae, 0x67, 0xda, 0x6f, 0x94, 0x63,
	0x0e, 0xba, 0x3c, 0x18, 0x83, 0xa8, 0xc8, 0x60, 0x56, 0x30, 0x0f, 0x06,
	0x03, 0x55, 0x1d, 0x13, 0x01, 0x01, 0xff, 0x04, 0x05, 0x30, 0x03, 0x01,
	0x01, 0xff, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x01, 0x0b, 0x05, 0x00, 0x03, 0x82, 0x01, 0x01, 0x00, 0x14, 0xee,
	0x02, 0x70, 0xe9, 0xac, 0xd9, 0x20, 0x00, 0x49, 0x78, 0x60, 0x35, 0x8d,
	0xc9, 0x17, 0x9a, 0x61, 0x92, 0x28, 0x03, 0x2a, 0xe0, 0xd8, 0x0f, 0x02,
	0x7c, 0x9d, 0x18, 0x03, 0x7e, 0x91, 0xd0, 0x36, 0x09, 0xa3, 0x09, 0xcf,
	0x2d, 0x56, 0x93, 0xec, 0xa8, 0x7d, 0x03, 0x2a, 0x9a, 0xc8, 0xd8, 0xf9,
	0xe3, 0xe9, 0xfa, 0x97, 0x4f, 0x1d, 0x46, 0xf7, 0x70, 0xde, 0x00, 0x01,
	0xd1, 0xc7, 0x20, 0x88, 0xca, 0xb4, 0xbb, 0xf3, 0x7b, 0xf7, 0xc8, 0xb6,
	0x22, 0xf0, 0x7a, 0x31, 0x23, 0xf9, 0x8b, 0x3f, 0x57, 0xf0, 0xe6, 0x3e,
	0x7d, 0xd6, 0xa6, 0xc2, 0x9c, 0xa4, 0xc4, 0xd7, 0x46, 0x89, 0x60, 0xd3,
	0xe9, 0x9a, 0xa1, 0xb6, 0xd1, 0x9c, 0x06, 0xd0, 0xb7, 0xad, 0x93, 0x45,
	0x10, 0xdf, 0x65, 0x84, 0x7a, 0xcd, 0xfb, 0x38, 0x7c, 0xe1, 0xde, 0x61,
	0xd7, 0x25, 0x90, 0x94, 0xb5, 0x42, 0x34, 0xc6, 0x05, 0x98, 0xcf, 0xba,
	0x06, 0x08, 0x4c, 0x6f, 0xc9, 0x94, 0xf6, 0x78, 0xc8, 0xaa, 0x11, 0xd2,
	0xe7, 0x99, 0x1c, 0x7a, 0x9c, 0x17, 0x51, 0x01, 0x81, 0xe4, 0x0c, 0x95,
	0x24, 0x81, 0x66, 0x94, 0x4a, 0xd8, 0x88, 0x1a, 0xc1, 0x7d, 0xb2, 0xbd,
	0x46, 0xae, 0x6b, 0xc0, 0x28, 0x75, 0xad, 0xae, 0xe0, 0x40, 0xce, 0x5d,
	0xb9, 0xb1, 0x95, 0xaa, 0x97, 0x64, 0x84, 0x84, 0x5c, 0x59, 0xa8, 0x95,
	0x08, 0xdb, 0xe7, 0x6c, 0x4f, 0x4e, 0x7c, 0xdf, 0x65, 0xa2, 0x52, 0x2f,
	0xca, 0xbc, 0x2b, 0x45, 0x15, 0x32, 0x1f, 0x3b, 0xfc, 0x4c, 0x56, 0x04,
	0x70, 0x5f, 0xc7, 0x5a, 0x1d, 0x97, 0x82, 0x3c, 0xbe, 0x9d, 0x9f, 0x89,
	0x5a, 0xb7, 0xb6, 0x9b, 0x02, 0xf6, 0x1e, 0xf8, 0x6d, 0x3f, 0x87, 0x4c,
	0x75, 0x1c, 0x5e, 0x4e, 0x13, 0x74, 0xcc, 0x50, 0xde, 0x6e, 0xb5, 0x54,
	0xf1, 0x42, 0x16, 0x03, 0x01, 0x00, 0x0a, 0x0d, 0x00, 0x00, 0x06, 0x03,
	0x01, 0x02, 0x40, 0x00, 0x00, 0x16, 0x03, 0x01, 0x00, 0x04, 0x0e, 0x00,
	0x00, 0x00 };

/* the certificate in both captures: CN=mx.example.org, 791 bytes of DER */
#define REAL_CERT_LEN 791

/*
 * Builders
 */

/* set16 - overwrite a 16-bit field written earlier */
static void
set16(struct pkt *p, size_t off, size_t v)
{
	p->b[off] = (uint8_t)(v >> 8);
	p->b[off + 1] = (uint8_t)v;
}

static const uint8_t test_random[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
	31, 32 };

/* a fake certificate: an outer DER SEQUENCE of filler */
static void
fake_cert(uint8_t *c, size_t len)
{
	size_t i;

	c[0] = 0x30;
	c[1] = 0x82;
	c[2] = (uint8_t)((len - 4) >> 8);
	c[3] = (uint8_t)(len - 4);
	for (i = 4; i < len; i++)
		c[i] = (uint8_t)(i * 31);
}

/*
 * hs_server_hello - a ServerHello handshake message (header included);
 * exts is the raw extensions block without its length, or NULL for none
 */
static void
hs_server_hello(struct pkt *p, unsigned int version, const uint8_t *random,
    size_t sidlen, unsigned int suite, unsigned int comp, const uint8_t *exts,
    size_t extlen)
{
	size_t i, len = 38 + sidlen + (exts != NULL ? 2 + extlen : 0);

	put8(p, 2);
	put24(p, len);
	put16(p, version);
	putbytes(p, random, 32);
	put8(p, (unsigned int)sidlen);
	for (i = 0; i < sidlen; i++)
		put8(p, 0xa0 + (unsigned int)i);
	put16(p, suite);
	put8(p, comp);
	if (exts != NULL) {
		put16(p, (unsigned int)extlen);
		putbytes(p, exts, extlen);
	}
}

/* hs_certificate - a Certificate message with one certificate */
static void
hs_certificate(struct pkt *p, const uint8_t *cert, size_t len)
{
	put8(p, 11);
	put24(p, len + 6);
	put24(p, len + 3);
	put24(p, len);
	putbytes(p, cert, len);
}

static void
hs_server_hello_done(struct pkt *p)
{
	put8(p, 14);
	put24(p, 0);
}

/*
 * frame - cut a handshake stream into records of at most recmax bytes
 * with content type 22 and the given version, appended to out
 */
static void
frame(struct pkt *out, const uint8_t *hs, size_t len, size_t recmax,
    unsigned int version)
{
	size_t off = 0, k;

	while (off < len) {
		k = len - off < recmax ? len - off : recmax;
		put8(out, 22);
		put16(out, version);
		put16(out, (unsigned int)k);
		putbytes(out, hs + off, k);
		off += k;
	}
}

static void
alert_record(
    struct pkt *p, unsigned int version, unsigned int level, unsigned int desc)
{
	put8(p, 21);
	put16(p, version);
	put16(p, 2);
	put8(p, level);
	put8(p, desc);
}

/* the handshake stream of the real TLS 1.2 flight (records stripped) */
static void
unframe(const uint8_t *in, size_t len, struct pkt *hs)
{
	size_t off = 0, rlen;

	hs->n = 0;
	while (off + 5 <= len && in[off] == 22) {
		rlen = (size_t)in[off + 3] << 8 | in[off + 4];
		assert_true(off + 5 + rlen <= len);
		putbytes(hs, in + off + 5, rlen);
		off += 5 + rlen;
	}
}

/* an SSLv3 flight: ServerHello (no extensions), Certificate, Done */
static void
build_sslv3(struct pkt *out, const uint8_t *cert, size_t certlen)
{
	static struct pkt hs;

	hs.n = 0;
	hs_server_hello(&hs, 0x0300, test_random, 32, 0x000A, 0, NULL, 0);
	hs_certificate(&hs, cert, certlen);
	hs_server_hello_done(&hs);
	out->n = 0;
	frame(out, hs.b, hs.n, 16384, 0x0300);
}

/*
 * build_ssl2_hello - an SSLv2 SERVER-HELLO (draft 2.6): no session hit,
 * X.509 certificate, version 2, the given kinds and a 16-byte connection id
 */
static void
build_ssl2_hello(struct pkt *out, const uint8_t *cert, size_t certlen,
    const uint32_t *kinds, size_t nkinds)
{
	size_t i, body = 11 + certlen + 3 * nkinds + 16;

	out->n = 0;
	put16(out, 0x8000 | (unsigned int)body);
	put8(out, 4);
	put8(out, 0); /* session id hit */
	put8(out, 1); /* SSL_CT_X509_CERTIFICATE */
	put16(out, 0x0002);
	put16(out, (unsigned int)certlen);
	put16(out, (unsigned int)(3 * nkinds));
	put16(out, 16);
	putbytes(out, cert, certlen);
	for (i = 0; i < nkinds; i++) {
		put8(out, kinds[i] >> 16 & 0xff);
		put16(out, kinds[i] & 0xffff);
	}
	for (i = 0; i < 16; i++)
		put8(out, 0xc0 + (unsigned int)i);
}

/* rng - deterministic xorshift for the randomised tests */
static uint32_t rng_state = 2463534242u;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/*
 * A server-side ClientHello parser, written from RFC 5246 7.4.1.2 for the
 * tests only: it checks every length and collects what the encoder wrote.
 */
struct chello {
	unsigned int record_version, version;
	uint8_t random[32];
	uint16_t suites[9000];
	size_t nsuites;
	bool has_ext;
	uint16_t ext[32];
	size_t ext_off[32], ext_len[32]; /* offsets into the record */
	size_t next;
	size_t record_len;
};

static unsigned int
rd16(const uint8_t *b)
{
	return (unsigned int)b[0] << 8 | b[1];
}

static void
chello_parse(const uint8_t *b, size_t len, struct chello *ch)
{
	size_t off, hlen, n, end, elen, i;

	memset(ch, 0, sizeof(*ch));
	assert_true(len >= 5 + 4 + 38);
	assert_int_equal(b[0], 22);
	ch->record_version = rd16(b + 1);
	ch->record_len = rd16(b + 3);
	assert_int_equal(ch->record_len + 5, len);
	assert_int_equal(b[5], 1);
	hlen = (size_t)b[6] << 16 | (size_t)b[7] << 8 | b[8];
	assert_int_equal(hlen + 4, ch->record_len);
	end = 9 + hlen;
	ch->version = rd16(b + 9);
	memcpy(ch->random, b + 11, 32);
	off = 43;
	assert_int_equal(b[off], 0); /* session id */
	off++;
	n = rd16(b + off);
	off += 2;
	assert_true(n % 2 == 0 && n > 0 && off + n <= end);
	for (i = 0; i < n / 2; i++)
		ch->suites[ch->nsuites++] = (uint16_t)rd16(b + off + 2 * i);
	off += n;
	assert_int_equal(b[off], 1); /* one compression method */
	assert_int_equal(b[off + 1], 0);
	off += 2;
	if (off == end)
		return;
	ch->has_ext = true;
	elen = rd16(b + off);
	off += 2;
	assert_int_equal(off + elen, end);
	while (off < end) {
		assert_true(end - off >= 4);
		assert_true(ch->next < NELEM(ch->ext));
		ch->ext[ch->next] = (uint16_t)rd16(b + off);
		n = rd16(b + off + 2);
		off += 4;
		assert_true(n <= end - off);
		ch->ext_off[ch->next] = off;
		ch->ext_len[ch->next] = n;
		ch->next++;
		off += n;
	}
}

/* chello_ext - index of an extension type, or -1 */
static int
chello_ext(const struct chello *ch, uint16_t type)
{
	size_t i;

	for (i = 0; i < ch->next; i++)
		if (ch->ext[i] == type)
			return (int)i;
	return -1;
}

/* contains16 - is v in a TLS vector of 16-bit values (2-byte length) */
static bool
contains16(const uint8_t *vec, size_t len, unsigned int v)
{
	size_t i, n = rd16(vec);

	assert_int_equal(n + 2, len);
	for (i = 0; i < n; i += 2)
		if (rd16(vec + 2 + i) == v)
			return true;
	return false;
}

/*
 * tls_suites
 */

static void
test_suites_table(void **state)
{
	const struct tls_suite *t, *s;
	size_t n, i, j, nscsv = 0, niana = 0;

	(void)state;
	t = tls_suite_table(&n);
	assert_true(n >= 350);
	for (i = 0; i < n; i++) {
		s = &t[i];
		/* sorted and so free of duplicates */
		if (i > 0)
			assert_true(t[i - 1].code < s->code);
		assert_ptr_equal(tls_suite_lookup(s->code), s);
		assert_true((unsigned int)s->kx < TLS_SUITE_KX_MAX);
		assert_true((unsigned int)s->auth < TLS_SUITE_AUTH_MAX);
		assert_true((unsigned int)s->enc < TLS_SUITE_ENC_MAX);
		assert_true((unsigned int)s->mac < TLS_SUITE_MAC_MAX);
		assert_true(s->min_version >= TLS_SUITE_SSL3);
		assert_true(s->min_version <= s->max_version);
		assert_true(s->max_version <= TLS_SUITE_TLS13);
		assert_int_equal(s->enc == TLS_SUITE_ENC_NULL, s->bits == 0);
		assert_true(s->name != NULL || s->openssl != NULL);
		if (s->flags & TLS_SUITE_F_SCSV)
			nscsv++;
		if (!(s->flags & TLS_SUITE_F_NONIANA)) {
			niana++;
			assert_non_null(s->name);
			assert_memory_equal(s->name, "TLS_", 4);
		}
		/* IANA spelling: upper case, digits, '_', and "anon" */
		for (j = 0; s->name != NULL && s->name[j] != '\0'; j++) {
			if (strncmp(s->name + j, "anon", 4) == 0) {
				j += 3;
				continue;
			}
			assert_true((s->name[j] >= 'A' && s->name[j] <= 'Z') ||
			    (s->name[j] >= '0' && s->name[j] <= '9') ||
			    s->name[j] == '_');
		}
		/* names are unique (Netscape's FIPS suites had two codes) */
		for (j = 0; j < i; j++) {
			if (s->name != NULL && t[j].name != NULL &&
			    !(s->flags & TLS_SUITE_F_NONIANA))
				assert_string_not_equal(s->name, t[j].name);
			if (s->openssl != NULL && t[j].openssl != NULL)
				assert_string_not_equal(
				    s->openssl, t[j].openssl);
		}
		/* TLS 1.3 suites carry no key exchange of their own */
		if (s->min_version == TLS_SUITE_TLS13)
			assert_int_equal(s->kx, TLS_SUITE_KX_TLS13);
		if (s->kx == TLS_SUITE_KX_TLS13)
			assert_int_equal(s->min_version, TLS_SUITE_TLS13);
	}
	assert_int_equal(nscsv, 2);
	assert_true(niana >= 330);
	assert_null(tls_suite_lookup(0x0a0a)); /* GREASE */
	assert_null(tls_suite_lookup(0xffff));
	assert_null(tls_suite_lookup(0x0050)); /* reserved, never assigned */
	assert_null(tls_suite_name(0x1306));
}

struct suite_case {
	uint16_t code;
	const char *name;
	const char *openssl; /* NULL: expect none */
	enum tls_suite_kx kx;
	enum tls_suite_auth auth;
	enum tls_suite_enc enc;
	unsigned int bits;
	enum tls_suite_mac mac;
	uint16_t min;
	uint32_t set, clear; /* tls_suite_flags() bits */
};

static void
test_suites_known(void **state)
{
	static const struct suite_case cases[] = {
		{ 0x0000, "TLS_NULL_WITH_NULL_NULL", NULL, TLS_SUITE_KX_NULL,
		    TLS_SUITE_AUTH_NULL, TLS_SUITE_ENC_NULL, 0,
		    TLS_SUITE_MAC_NULL, 0x0300,
		    TLS_SUITE_F_NULL | TLS_SUITE_F_ANON,
		    TLS_SUITE_F_FS | TLS_SUITE_F_SCSV },
		{ 0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5",
		    TLS_SUITE_KX_RSA, TLS_SUITE_AUTH_RSA, TLS_SUITE_ENC_RC4, 40,
		    TLS_SUITE_MAC_MD5, 0x0300,
		    TLS_SUITE_F_EXPORT | TLS_SUITE_F_RC4,
		    TLS_SUITE_F_OPENSSL3 | TLS_SUITE_F_FS },
		{ 0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA",
		    TLS_SUITE_KX_RSA, TLS_SUITE_AUTH_RSA, TLS_SUITE_ENC_RC4,
		    128, TLS_SUITE_MAC_SHA1, 0x0300, TLS_SUITE_F_RC4,
		    TLS_SUITE_F_EXPORT | TLS_SUITE_F_ANON | TLS_SUITE_F_FS },
		{ 0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA",
		    TLS_SUITE_KX_RSA, TLS_SUITE_AUTH_RSA, TLS_SUITE_ENC_DES, 56,
		    TLS_SUITE_MAC_SHA1, 0x0300, TLS_SUITE_F_DES,
		    TLS_SUITE_F_3DES | TLS_SUITE_F_EXPORT },
		{ 0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA",
		    TLS_SUITE_KX_RSA, TLS_SUITE_AUTH_RSA, TLS_SUITE_ENC_3DES,
		    168, TLS_SUITE_MAC_SHA1, 0x0300, TLS_SUITE_F_3DES,
		    TLS_SUITE_F_DES | TLS_SUITE_F_RC4 | TLS_SUITE_F_FS },
		{ 0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA",
		    "EXP-EDH-RSA-DES-CBC-SHA", TLS_SUITE_KX_DHE,
		    TLS_SUITE_AUTH_RSA, TLS_SUITE_ENC_DES, 40,
		    TLS_SUITE_MAC_SHA1, 0x0300,
		    TLS_SUITE_F_EXPORT | TLS_SUITE_F_DES | TLS_SUITE_F_FS, 0 },
		{ 0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5",
		    "EXP-ADH-RC4-MD5", TLS_SUITE_KX_DHE, TLS_SUITE_AUTH_NULL,
		    TLS_SUITE_ENC_RC4, 40, TLS_SUITE_MAC_MD5, 0x0300,
		    TLS_SUITE_F_EXPORT | TLS_SUITE_F_RC4 | TLS_SUITE_F_ANON,
		    0 },
		{ 0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "ADH-RC4-MD5",
		    TLS_SUITE_KX_DHE, TLS_SUITE_AUTH_NULL, TLS_SUITE_ENC_RC4,
		    128, TLS_SUITE_MAC_MD5, 0x0300,
		    TLS_SUITE_F_RC4 | TLS_SUITE_F_ANON, TLS_SUITE_F_EXPORT },
		{ 0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA",
		    "EXP-KRB5-DES-CBC-SHA", TLS_SUITE_KX_KRB5,
		    TLS_SUITE_AUTH_KRB5, TLS_SUITE_ENC_DES, 40,
		    TLS_SUITE_MAC_SHA1, 0x0300,
		    TLS_SUITE_F_EXPORT | TLS_SUITE_F_DES, 0 },
		{ 0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA",
		    TLS_SUITE_KX_RSA, TLS_SUITE_AUTH_RSA, TLS_SUITE_ENC_AES_CBC,
		    128, TLS_SUITE_MAC_SHA1, 0x0300, TLS_SUITE_F_OPENSSL3,
		    TLS_SUITE_F_FS | TLS_SUITE_F_AEAD },
		{ 0x008A, "TLS_PSK_WITH_RC4_128_SHA", "PSK-RC4-SHA",
		    TLS_SUITE_KX_PSK, TLS_SUITE_AUTH_PSK, TLS_SUITE_ENC_RC4,
		    128, TLS_SUITE_MAC_SHA1, 0x0300,
		    TLS_SUITE_F_RC4 | TLS_SUITE_F_PSK, TLS_SUITE_F_ANON },
		{ 0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
		    "DHE-RSA-AES128-GCM-SHA256", TLS_SUITE_KX_DHE,
		    TLS_SUITE_AUTH_RSA, TLS_SUITE_ENC_AES_GCM, 128,
		    TLS_SUITE_MAC_AEAD, 0x0303,
		    TLS_SUITE_F_FS | TLS_SUITE_F_AEAD, 0 },
		{ 0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", NULL,
		    TLS_SUITE_KX_NULL, TLS_SUITE_AUTH_NULL, TLS_SUITE_ENC_NULL,
		    0, TLS_SUITE_MAC_NULL, 0x0300, TLS_SUITE_F_SCSV,
		    TLS_SUITE_F_NULL | TLS_SUITE_F_ANON },
		{ 0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256",
		    TLS_SUITE_KX_TLS13, TLS_SUITE_AUTH_TLS13,
		    TLS_SUITE_ENC_AES_GCM, 128, TLS_SUITE_MAC_AEAD, 0x0304,
		    TLS_SUITE_F_TLS13 | TLS_SUITE_F_FS | TLS_SUITE_F_OPENSSL3,
		    TLS_SUITE_F_ANON },
		{ 0x1305, "TLS_AES_128_CCM_8_SHA256",
		    "TLS_AES_128_CCM_8_SHA256", TLS_SUITE_KX_TLS13,
		    TLS_SUITE_AUTH_TLS13, TLS_SUITE_ENC_AES_CCM_8, 128,
		    TLS_SUITE_MAC_AEAD, 0x0304, TLS_SUITE_F_TLS13, 0 },
		{ 0x5600, "TLS_FALLBACK_SCSV", NULL, TLS_SUITE_KX_NULL,
		    TLS_SUITE_AUTH_NULL, TLS_SUITE_ENC_NULL, 0,
		    TLS_SUITE_MAC_NULL, 0x0300, TLS_SUITE_F_SCSV, 0 },
		{ 0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA",
		    TLS_SUITE_KX_ECDHE, TLS_SUITE_AUTH_RSA, TLS_SUITE_ENC_RC4,
		    128, TLS_SUITE_MAC_SHA1, 0x0300,
		    TLS_SUITE_F_RC4 | TLS_SUITE_F_FS, TLS_SUITE_F_ANON },
		{ 0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
		    "ECDHE-RSA-DES-CBC3-SHA", TLS_SUITE_KX_ECDHE,
		    TLS_SUITE_AUTH_RSA, TLS_SUITE_ENC_3DES, 168,
		    TLS_SUITE_MAC_SHA1, 0x0300,
		    TLS_SUITE_F_3DES | TLS_SUITE_F_FS, 0 },
		{ 0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA",
		    "AECDH-AES128-SHA", TLS_SUITE_KX_ECDHE, TLS_SUITE_AUTH_NULL,
		    TLS_SUITE_ENC_AES_CBC, 128, TLS_SUITE_MAC_SHA1, 0x0300,
		    TLS_SUITE_F_ANON | TLS_SUITE_F_OPENSSL3, 0 },
		{ 0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA",
		    "ECDH-RSA-AES128-SHA", TLS_SUITE_KX_ECDH,
		    TLS_SUITE_AUTH_ECDH, TLS_SUITE_ENC_AES_CBC, 128,
		    TLS_SUITE_MAC_SHA1, 0x0300, 0,
		    TLS_SUITE_F_FS | TLS_SUITE_F_ANON },
		{ 0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		    "ECDHE-RSA-AES128-GCM-SHA256", TLS_SUITE_KX_ECDHE,
		    TLS_SUITE_AUTH_RSA, TLS_SUITE_ENC_AES_GCM, 128,
		    TLS_SUITE_MAC_AEAD, 0x0303,
		    TLS_SUITE_F_FS | TLS_SUITE_F_AEAD | TLS_SUITE_F_OPENSSL3,
		    TLS_SUITE_F_RC4 | TLS_SUITE_F_3DES | TLS_SUITE_F_ANON |
		        TLS_SUITE_F_NULL | TLS_SUITE_F_EXPORT },
		{ 0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8",
		    "DHE-PSK-AES128-CCM8", TLS_SUITE_KX_DHE_PSK,
		    TLS_SUITE_AUTH_PSK, TLS_SUITE_ENC_AES_CCM_8, 128,
		    TLS_SUITE_MAC_AEAD, 0x0303,
		    TLS_SUITE_F_PSK | TLS_SUITE_F_FS, 0 },
		{ 0xC0B4, "TLS_SHA256_SHA256", NULL, TLS_SUITE_KX_TLS13,
		    TLS_SUITE_AUTH_TLS13, TLS_SUITE_ENC_NULL, 0,
		    TLS_SUITE_MAC_SHA256, 0x0304,
		    TLS_SUITE_F_NULL | TLS_SUITE_F_TLS13, 0 },
		{ 0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
		    "ECDHE-RSA-CHACHA20-POLY1305", TLS_SUITE_KX_ECDHE,
		    TLS_SUITE_AUTH_RSA, TLS_SUITE_ENC_CHACHA20_POLY1305, 256,
		    TLS_SUITE_MAC_AEAD, 0x0303,
		    TLS_SUITE_F_FS | TLS_SUITE_F_AEAD, 0 },
		{ 0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", NULL,
		    TLS_SUITE_KX_ECDHE_PSK, TLS_SUITE_AUTH_PSK,
		    TLS_SUITE_ENC_AES_GCM, 128, TLS_SUITE_MAC_AEAD, 0x0303,
		    TLS_SUITE_F_PSK | TLS_SUITE_F_FS, TLS_SUITE_F_NONIANA },
		{ 0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA",
		    "EXP1024-RC4-SHA", TLS_SUITE_KX_RSA, TLS_SUITE_AUTH_RSA,
		    TLS_SUITE_ENC_RC4, 56, TLS_SUITE_MAC_SHA1, 0x0300,
		    TLS_SUITE_F_EXPORT | TLS_SUITE_F_RC4 | TLS_SUITE_F_NONIANA,
		    0 },
	};
	const struct tls_suite *s;
	uint32_t f;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		s = tls_suite_lookup(cases[i].code);
		assert_non_null(s);
		assert_string_equal(s->name, cases[i].name);
		if (cases[i].openssl == NULL)
			assert_null(s->openssl);
		else
			assert_string_equal(s->openssl, cases[i].openssl);
		assert_int_equal(s->kx, cases[i].kx);
		assert_int_equal(s->auth, cases[i].auth);
		assert_int_equal(s->enc, cases[i].enc);
		assert_int_equal(s->bits, cases[i].bits);
		assert_int_equal(s->mac, cases[i].mac);
		assert_int_equal(s->min_version, cases[i].min);
		f = tls_suite_flags(s);
		assert_int_equal(f & cases[i].set, cases[i].set);
		assert_int_equal(f & cases[i].clear, 0);
		assert_string_equal(
		    tls_suite_name(cases[i].code), cases[i].name);
	}
	/* a code outside IANA without any published name */
	assert_string_equal(
	    tls_suite_name(0xff85), "GOST2012256-GOST89-GOST89");
}

static void
test_suites_select(void **state)
{
	static const struct {
		enum tls_suite_set set;
		uint32_t flag;
	} sets[] = {
		{ TLS_SUITE_SET_RC4, TLS_SUITE_F_RC4 },
		{ TLS_SUITE_SET_3DES, TLS_SUITE_F_3DES | TLS_SUITE_F_DES },
		{ TLS_SUITE_SET_EXPORT, TLS_SUITE_F_EXPORT },
		{ TLS_SUITE_SET_NULL, TLS_SUITE_F_NULL },
		{ TLS_SUITE_SET_ANON, TLS_SUITE_F_ANON },
		{ TLS_SUITE_SET_ALL, 0 },
	};
	static const uint16_t versions[] = { 0, 0x0300, 0x0301, 0x0302, 0x0303,
		0x0304 };
	uint16_t codes[512], small[3];
	const struct tls_suite *t, *s;
	size_t i, v, k, n, nt, expect;
	uint32_t f;

	(void)state;
	t = tls_suite_table(&nt);
	for (i = 0; i < NELEM(sets); i++) {
		for (v = 0; v < NELEM(versions); v++) {
			n = tls_suite_select(
			    sets[i].set, versions[v], codes, NELEM(codes));
			assert_true(n <= NELEM(codes));
			if (versions[v] <= 0x0303 && versions[v] != 0x0304)
				assert_true(n > 0);
			/* every member has the flag, SCSVs never, in order */
			for (k = 0; k < n; k++) {
				s = tls_suite_lookup(codes[k]);
				assert_non_null(s);
				f = tls_suite_flags(s);
				if (sets[i].flag != 0)
					assert_true(f & sets[i].flag);
				assert_false(f & TLS_SUITE_F_SCSV);
				if (versions[v] != 0)
					assert_true(
					    tls_suite_legal(s, versions[v]));
				if (k > 0)
					assert_true(codes[k - 1] < codes[k]);
			}
			/* and every suite with the flag is a member */
			expect = 0;
			for (k = 0; k < nt; k++) {
				f = tls_suite_flags(&t[k]);
				if ((f & TLS_SUITE_F_SCSV) ||
				    t[k].code == 0x0000)
					continue;
				if (sets[i].flag != 0 && !(f & sets[i].flag))
					continue;
				if (versions[v] != 0 &&
				    !tls_suite_legal(&t[k], versions[v]))
					continue;
				expect++;
			}
			assert_int_equal(n, expect);
			/* truncation reports the full count */
			assert_int_equal(tls_suite_select(sets[i].set,
			                     versions[v], small, NELEM(small)),
			    n);
			assert_int_equal(
			    tls_suite_select(sets[i].set, versions[v], NULL, 0),
			    n);
		}
	}
	/* the suites the brief names are in their families */
	n = tls_suite_select(TLS_SUITE_SET_3DES, 0x0300, codes, NELEM(codes));
	assert_true(n >= 20);
	for (k = 0; k < n && codes[k] != 0x000A; k++)
		;
	assert_true(k < n);
	n = tls_suite_select(TLS_SUITE_SET_RC4, 0x0301, codes, NELEM(codes));
	for (k = 0; k < n && codes[k] != 0x0005; k++)
		;
	assert_true(k < n);
	n = tls_suite_select(TLS_SUITE_SET_ANON, 0x0301, codes, NELEM(codes));
	for (k = 0; k < n && codes[k] != 0x0018; k++)
		;
	assert_true(k < n);
	/* TLS_NULL_WITH_NULL_NULL is never offered, nor legal (RFC 5246 A.5) */
	n = tls_suite_select(TLS_SUITE_SET_NULL, 0x0300, codes, NELEM(codes));
	assert_int_equal(codes[0], 0x0001);
	assert_false(tls_suite_legal(tls_suite_lookup(0x0000), 0x0303));
	/* SSLv3 has no AEAD; TLS 1.3 only its own suites and ECCPWD */
	n = tls_suite_select(TLS_SUITE_SET_ALL, 0x0300, codes, NELEM(codes));
	for (k = 0; k < n; k++)
		assert_false(tls_suite_flags(tls_suite_lookup(codes[k])) &
		    TLS_SUITE_F_AEAD);
	n = tls_suite_select(TLS_SUITE_SET_ALL, 0x0304, codes, NELEM(codes));
	assert_int_equal(n, 5 + 2 + 2 + 4 + 4); /* 13xx SM4 SHA GOST ECCPWD */
	n = tls_suite_select_flags(TLS_SUITE_F_FS,
	    TLS_SUITE_F_ANON | TLS_SUITE_F_PSK, 0x0303, codes, NELEM(codes));
	assert_true(n > 40);
	for (k = 0; k < n; k++) {
		f = tls_suite_flags(tls_suite_lookup(codes[k]));
		assert_true(f & TLS_SUITE_F_FS);
		assert_false(f & (TLS_SUITE_F_ANON | TLS_SUITE_F_PSK));
	}
	assert_int_equal(
	    tls_suite_select((enum tls_suite_set)99, 0, codes, NELEM(codes)),
	    0);
	/* OpenSSL 3.0 knows 162 suites (with the legacy provider's SEED) */
	n = tls_suite_select_flags(
	    TLS_SUITE_F_OPENSSL3, 0, 0, codes, NELEM(codes));
	assert_int_equal(n, 162);
}

static void
test_suites_names(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < TLS_SUITE_KX_MAX; i++)
		assert_string_not_equal(
		    tls_suite_kx_name((enum tls_suite_kx)i), "?");
	for (i = 0; i < TLS_SUITE_AUTH_MAX; i++)
		assert_string_not_equal(
		    tls_suite_auth_name((enum tls_suite_auth)i), "?");
	for (i = 0; i < TLS_SUITE_ENC_MAX; i++)
		assert_string_not_equal(
		    tls_suite_enc_name((enum tls_suite_enc)i), "?");
	for (i = 0; i < TLS_SUITE_MAC_MAX; i++)
		assert_string_not_equal(
		    tls_suite_mac_name((enum tls_suite_mac)i), "?");
	assert_string_equal(tls_suite_kx_name(TLS_SUITE_KX_MAX), "?");
	assert_string_equal(tls_suite_auth_name(TLS_SUITE_AUTH_MAX), "?");
	assert_string_equal(tls_suite_enc_name(TLS_SUITE_ENC_MAX), "?");
	assert_string_equal(tls_suite_mac_name(TLS_SUITE_MAC_MAX), "?");
	assert_string_equal(tls_suite_kx_name(TLS_SUITE_KX_ECDHE), "ECDHE");
	assert_string_equal(tls_suite_enc_name(TLS_SUITE_ENC_3DES), "3DES");
	assert_string_equal(
	    tls_suite_enc_name(TLS_SUITE_ENC_AES_GCM), "AES_GCM");
	assert_string_equal(tls_suite_mac_name(TLS_SUITE_MAC_SHA1), "SHA1");
}

static void
test_suites_ssl2(void **state)
{
	static const struct {
		uint32_t kind;
		const char *name;
		uint32_t flags;
		unsigned int bits;
	} draft[] = {
		{ TLS_SUITE_SSL2_RC4_128_WITH_MD5, "SSL_CK_RC4_128_WITH_MD5",
		    TLS_SUITE_F_RC4, 128 },
		{ TLS_SUITE_SSL2_RC4_128_EXPORT40_WITH_MD5,
		    "SSL_CK_RC4_128_EXPORT40_WITH_MD5",
		    TLS_SUITE_F_RC4 | TLS_SUITE_F_EXPORT, 40 },
		{ TLS_SUITE_SSL2_RC2_128_CBC_WITH_MD5,
		    "SSL_CK_RC2_128_CBC_WITH_MD5", 0, 128 },
		{ TLS_SUITE_SSL2_RC2_128_CBC_EXPORT40_WITH_MD5,
		    "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5", TLS_SUITE_F_EXPORT,
		    40 },
		{ TLS_SUITE_SSL2_IDEA_128_CBC_WITH_MD5,
		    "SSL_CK_IDEA_128_CBC_WITH_MD5", 0, 128 },
		{ TLS_SUITE_SSL2_DES_64_CBC_WITH_MD5,
		    "SSL_CK_DES_64_CBC_WITH_MD5", TLS_SUITE_F_DES, 56 },
		{ TLS_SUITE_SSL2_DES_192_EDE3_CBC_WITH_MD5,
		    "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", TLS_SUITE_F_3DES, 168 },
	};
	const struct tls_suite_ssl2 *t, *s;
	uint32_t kinds[16];
	size_t i, j, n;

	(void)state;
	for (i = 0; i < NELEM(draft); i++) {
		s = tls_suite_ssl2_lookup(draft[i].kind);
		assert_non_null(s);
		assert_string_equal(s->name, draft[i].name);
		assert_int_equal(s->flags, draft[i].flags);
		assert_int_equal(s->bits, draft[i].bits);
	}
	assert_int_equal(TLS_SUITE_SSL2_DES_192_EDE3_CBC_WITH_MD5, 0x0700C0);
	assert_null(tls_suite_ssl2_lookup(0x00002f));
	t = tls_suite_ssl2_table(&n);
	assert_true(n >= 7);
	for (i = 1; i < n; i++)
		assert_true(t[i - 1].kind < t[i].kind);
	n = tls_suite_ssl2_select(kinds, NELEM(kinds));
	assert_int_equal(n, 8);
	for (i = 0; i < n; i++) {
		s = tls_suite_ssl2_lookup(kinds[i]);
		assert_non_null(s);
		for (j = 0; j < i; j++)
			assert_true(kinds[j] != kinds[i]);
	}
	assert_int_equal(kinds[0], TLS_SUITE_SSL2_DES_192_EDE3_CBC_WITH_MD5);
	assert_int_equal(tls_suite_ssl2_select(kinds, 2), 8);
}

/*
 * Encoders
 */

static void
test_encode_exact(void **state)
{
	uint8_t out[TLS_HELLO_BUFSIZE], want[64];
	struct tls_hello_client c;
	struct perr err;
	uint16_t suites[] = { 0x0005 };
	size_t i;
	int n;

	(void)state;
	/* TLS 1.0, no extensions: the SCSV goes in the cipher list */
	memset(&c, 0, sizeof(c));
	c.version = 0x0301;
	c.suites = suites;
	c.nsuites = 1;
	c.random = test_random;
	c.flags = TLS_HELLO_F_NO_EXTENSIONS;
	n = tls_hello_encode(&c, out, sizeof(out), &err);
	assert_int_equal(n, 52);
	i = 0;
	want[i++] = 0x16;
	want[i++] = 0x03;
	want[i++] = 0x01;
	want[i++] = 0x00;
	want[i++] = 0x2f; /* 47 */
	want[i++] = 0x01;
	want[i++] = 0x00;
	want[i++] = 0x00;
	want[i++] = 0x2b; /* 43 */
	want[i++] = 0x03;
	want[i++] = 0x01;
	memcpy(want + i, test_random, 32);
	i += 32;
	want[i++] = 0x00; /* session id */
	want[i++] = 0x00;
	want[i++] = 0x04;
	want[i++] = 0x00;
	want[i++] = 0x05;
	want[i++] = 0x00;
	want[i++] = 0xff;
	want[i++] = 0x01;
	want[i++] = 0x00;
	assert_int_equal(i, 52);
	assert_memory_equal(out, want, 52);

	/* SSLv3: record version 0x0300, no extensions, fallback SCSV last */
	c.version = 0x0300;
	c.flags = TLS_HELLO_F_FALLBACK_SCSV;
	n = tls_hello_encode(&c, out, sizeof(out), &err);
	assert_int_equal(n, 54);
	want[2] = 0x00;
	want[4] = 0x31;
	want[8] = 0x2d;
	want[10] = 0x00;
	want[45] = 0x06;
	want[50] = 0x56;
	want[51] = 0x00;
	want[52] = 0x01;
	want[53] = 0x00;
	assert_memory_equal(out, want, 54);

	/* a caller-supplied record version */
	c.record_version = 0x0301;
	assert_int_equal(tls_hello_encode(&c, out, sizeof(out), &err), 54);
	assert_int_equal(out[2], 0x01);
	assert_int_equal(out[9], 0x03);
	assert_int_equal(out[10], 0x00);
}

static void
test_encode_extensions(void **state)
{
	static const uint8_t sni[] = { 0x00, 0x0b, 0x00, 0x00, 0x08, 'm', 'x',
		'.', 'a', '.', 'o', 'r', 'g' };
	uint8_t out[TLS_HELLO_BUFSIZE];
	uint16_t suites[] = { 0xc02f, 0x000a, 0x0005 };
	static struct chello ch;
	struct tls_hello_client c;
	struct perr err;
	int n, i;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.version = 0x0303;
	c.suites = suites;
	c.nsuites = NELEM(suites);
	c.random = test_random;
	c.host = "mx.a.org.";
	n = tls_hello_encode(&c, out, sizeof(out), &err);
	assert_true(n > 0);
	chello_parse(out, (size_t)n, &ch);
	assert_int_equal(ch.record_version, 0x0301);
	assert_int_equal(ch.version, 0x0303);
	assert_memory_equal(ch.random, test_random, 32);
	assert_int_equal(ch.nsuites, 3);
	assert_int_equal(ch.suites[0], 0xc02f);
	assert_int_equal(ch.suites[2], 0x0005);
	assert_int_equal(ch.next, 6);
	assert_int_equal(ch.ext[0], TLS_HELLO_EXT_SERVER_NAME);
	assert_int_equal(ch.ext[1], TLS_HELLO_EXT_SUPPORTED_GROUPS);
	assert_int_equal(ch.ext[2], TLS_HELLO_EXT_EC_POINT_FORMATS);
	assert_int_equal(ch.ext[3], TLS_HELLO_EXT_SIGNATURE_ALGORITHMS);
	assert_int_equal(ch.ext[4], TLS_HELLO_EXT_EXTENDED_MASTER_SECRET);
	assert_int_equal(ch.ext[5], TLS_HELLO_EXT_RENEGOTIATION_INFO);
	/* server_name: one host_name entry, trailing dot dropped */
	assert_int_equal(ch.ext_len[0], sizeof(sni));
	assert_memory_equal(out + ch.ext_off[0], sni, sizeof(sni));
	/* the groups the brief asks for */
	assert_true(contains16(out + ch.ext_off[1], ch.ext_len[1], 23));
	assert_true(contains16(out + ch.ext_off[1], ch.ext_len[1], 24));
	assert_true(contains16(out + ch.ext_off[1], ch.ext_len[1], 25));
	assert_true(contains16(out + ch.ext_off[1], ch.ext_len[1], 29));
	assert_true(contains16(out + ch.ext_off[1], ch.ext_len[1], 30));
	for (i = 256; i <= 260; i++)
		assert_true(contains16(
		    out + ch.ext_off[1], ch.ext_len[1], (unsigned int)i));
	assert_int_equal(ch.ext_len[2], 4);
	assert_memory_equal(out + ch.ext_off[2], "\x03\x00\x01\x02", 4);
	/* SHA-1 and MD5 pairs for old servers, PSS for new ones */
	assert_true(contains16(out + ch.ext_off[3], ch.ext_len[3], 0x0201));
	assert_true(contains16(out + ch.ext_off[3], ch.ext_len[3], 0x0101));
	assert_true(contains16(out + ch.ext_off[3], ch.ext_len[3], 0x0804));
	assert_true(contains16(out + ch.ext_off[3], ch.ext_len[3], 0x0403));
	assert_int_equal(ch.ext_len[4], 0);
	assert_int_equal(ch.ext_len[5], 1);
	assert_int_equal(out[ch.ext_off[5]], 0);
	/* the last four bytes: renegotiation_info, empty */
	assert_memory_equal(out + n - 5, "\xff\x01\x00\x01\x00", 5);

	/* TLS 1.0 and 1.1: no signature_algorithms */
	c.version = 0x0301;
	n = tls_hello_encode(&c, out, sizeof(out), &err);
	chello_parse(out, (size_t)n, &ch);
	assert_int_equal(
	    chello_ext(&ch, TLS_HELLO_EXT_SIGNATURE_ALGORITHMS), -1);
	assert_true(chello_ext(&ch, TLS_HELLO_EXT_SERVER_NAME) == 0);

	/* the SCSV instead of the extension; no EMS */
	c.version = 0x0302;
	c.flags = TLS_HELLO_F_RENEG_SCSV | TLS_HELLO_F_NO_EMS;
	n = tls_hello_encode(&c, out, sizeof(out), &err);
	chello_parse(out, (size_t)n, &ch);
	assert_int_equal(chello_ext(&ch, TLS_HELLO_EXT_RENEGOTIATION_INFO), -1);
	assert_int_equal(
	    chello_ext(&ch, TLS_HELLO_EXT_EXTENDED_MASTER_SECRET), -1);
	assert_int_equal(ch.nsuites, 4);
	assert_int_equal(ch.suites[3], 0x00ff);
	assert_int_equal(ch.ext[ch.next - 1], TLS_HELLO_EXT_EC_POINT_FORMATS);

	/* SSLv3 with extensions on request: never server_name */
	c.version = 0x0300;
	c.flags = TLS_HELLO_F_SSL3_EXTENSIONS;
	n = tls_hello_encode(&c, out, sizeof(out), &err);
	chello_parse(out, (size_t)n, &ch);
	assert_int_equal(ch.record_version, 0x0300);
	assert_true(ch.has_ext);
	assert_int_equal(chello_ext(&ch, TLS_HELLO_EXT_SERVER_NAME), -1);
	assert_true(chello_ext(&ch, TLS_HELLO_EXT_SUPPORTED_GROUPS) >= 0);

	/* SSLv3 by default: no extensions block at all */
	c.flags = 0;
	n = tls_hello_encode(&c, out, sizeof(out), &err);
	chello_parse(out, (size_t)n, &ch);
	assert_false(ch.has_ext);
	assert_int_equal(ch.suites[ch.nsuites - 1], 0x00ff);
}

static void
test_encode_host(void **state)
{
	static const struct {
		const char *host;
		bool sni;
	} cases[] = {
		{ NULL, false },
		{ "", false },
		{ ".", false },
		{ "192.0.2.1", false },
		{ "2001:db8::1", false },
		{ "[2001:db8::1]", false },
		{ "mx1.example.org", true },
		{ "1.example", true },
		{ "xn--bcher-kva.example", true },
	};
	uint8_t out[TLS_HELLO_BUFSIZE];
	uint16_t suites[] = { 0x002f };
	static struct chello ch;
	struct tls_hello_client c;
	struct perr err;
	char longname[300];
	size_t i;
	int n;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.version = 0x0303;
	c.suites = suites;
	c.nsuites = 1;
	c.random = test_random;
	for (i = 0; i < NELEM(cases); i++) {
		c.host = cases[i].host;
		n = tls_hello_encode(&c, out, sizeof(out), &err);
		assert_true(n > 0);
		chello_parse(out, (size_t)n, &ch);
		assert_int_equal(
		    chello_ext(&ch, TLS_HELLO_EXT_SERVER_NAME) == 0,
		    cases[i].sni);
	}
	/* 255 bytes fit, 256 do not (a trailing dot does not count) */
	memset(longname, 'a', sizeof(longname));
	longname[255] = '\0';
	c.host = longname;
	assert_true(tls_hello_encode(&c, out, sizeof(out), &err) > 0);
	longname[255] = '.';
	longname[256] = '\0';
	assert_true(tls_hello_encode(&c, out, sizeof(out), &err) > 0);
	longname[255] = 'a';
	assert_int_equal(tls_hello_encode(&c, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "host name too long");
}

static void
test_encode_padding(void **state)
{
	uint8_t out[TLS_HELLO_BUFSIZE];
	uint16_t suites[400];
	static struct chello ch;
	struct tls_hello_client c;
	struct perr err;
	size_t k, rec, padded = 0, unpadded_in_range = 0;
	int n, pi;
	unsigned int v;

	(void)state;
	for (k = 0; k < NELEM(suites); k++)
		suites[k] = (uint16_t)(0x0100 + k);
	memset(&c, 0, sizeof(c));
	c.suites = suites;
	c.random = test_random;
	c.host = "mx.example.org";
	for (v = 0x0301; v <= 0x0303; v++) {
		c.version = (uint16_t)v;
		for (k = 1; k <= 300; k++) {
			c.nsuites = k;
			c.flags = 0;
			n = tls_hello_encode(&c, out, sizeof(out), &err);
			assert_true(n > 0);
			chello_parse(out, (size_t)n, &ch);
			rec = ch.record_len;
			/* never in the F5 range */
			assert_true(rec < 256 || rec >= 512);
			pi = chello_ext(&ch, TLS_HELLO_EXT_PADDING);
			if (pi >= 0) {
				padded++;
				assert_true(rec >= 512 && rec <= 515);
				/* padding is zeros, renegotiation_info last */
				assert_int_equal(ch.ext[ch.next - 1],
				    TLS_HELLO_EXT_RENEGOTIATION_INFO);
				assert_int_equal(
				    ch.ext[ch.next - 2], TLS_HELLO_EXT_PADDING);
				for (size_t j = 0; j < ch.ext_len[pi]; j++)
					assert_int_equal(
					    out[ch.ext_off[pi] + j], 0);
				if (ch.ext_len[pi] > 0)
					assert_int_equal(rec, 512);
			}
			c.flags = TLS_HELLO_F_NO_PADDING;
			n = tls_hello_encode(&c, out, sizeof(out), &err);
			chello_parse(out, (size_t)n, &ch);
			assert_int_equal(
			    chello_ext(&ch, TLS_HELLO_EXT_PADDING), -1);
			if (ch.record_len >= 256 && ch.record_len < 512)
				unpadded_in_range++;
		}
	}
	assert_true(padded > 100);
	assert_int_equal(padded, unpadded_in_range);
}

static void
test_encode_errors(void **state)
{
	uint8_t out[TLS_HELLO_BUFSIZE + 16];
	static uint16_t many[9000];
	uint16_t suites[] = { 0x002f, 0x00ff, 0x5600 };
	static struct chello ch;
	struct tls_hello_client c;
	struct perr err;
	size_t k;
	int n, full;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.version = 0x0303;
	c.suites = suites;
	c.nsuites = 0;
	c.random = test_random;
	assert_int_equal(tls_hello_encode(&c, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "no cipher suites");
	c.nsuites = 1;
	c.version = 0x0002;
	assert_int_equal(tls_hello_encode(&c, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "unsupported version");
	c.version = 0x0400;
	assert_int_equal(tls_hello_encode(&c, out, sizeof(out), &err), -1);
	c.version = 0x0304; /* written as given: a tolerance test */
	assert_true(tls_hello_encode(&c, out, sizeof(out), &err) > 0);
	c.version = 0x0303;
	c.random = NULL;
	assert_int_equal(tls_hello_encode(&c, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "no random");
	c.random = test_random;

	/* every buffer size short of the hello fails, nothing past it */
	c.host = "mx.example.org";
	full = tls_hello_encode(&c, out, sizeof(out), &err);
	assert_true(full > 0);
	for (k = 0; k < (size_t)full; k++) {
		memset(out, 0xee, sizeof(out));
		assert_int_equal(tls_hello_encode(&c, out, k, &err), -1);
		assert_string_equal(err.msg, "buffer too small");
		assert_int_equal(out[k], 0xee);
	}
	assert_int_equal(tls_hello_encode(&c, out, (size_t)full, &err), full);

	/* the SCSVs are not repeated when the caller lists them */
	c.nsuites = 3;
	c.flags = TLS_HELLO_F_FALLBACK_SCSV | TLS_HELLO_F_RENEG_SCSV;
	n = tls_hello_encode(&c, out, sizeof(out), &err);
	chello_parse(out, (size_t)n, &ch);
	assert_int_equal(ch.nsuites, 3);

	/* too many suites for one record */
	for (k = 0; k < NELEM(many); k++)
		many[k] = (uint16_t)k;
	c.suites = many;
	c.nsuites = 8200;
	assert_int_equal(tls_hello_encode(&c, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "hello too long");
	c.nsuites = NELEM(many);
	assert_int_equal(tls_hello_encode(&c, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "hello too long");
	/* the largest that fits */
	c.flags = TLS_HELLO_F_NO_EXTENSIONS;
	c.nsuites = (16384 - 43) / 2 - 1;
	n = tls_hello_encode(&c, out, sizeof(out), &err);
	assert_true(n > 16000 && n <= TLS_HELLO_BUFSIZE);
}

static void
test_encode_ssl2(void **state)
{
	static const uint8_t want[] = { 0x80, 0x1f, 0x01, 0x00, 0x02, 0x00,
		0x06, 0x00, 0x00, 0x00, 0x10, 0x07, 0x00, 0xc0, 0x01, 0x00,
		0x80 };
	uint32_t kinds[] = { 0x0700c0, 0x010080 };
	uint8_t out[64], big[40000];
	static uint32_t many[12000];
	struct tls_hello_ssl2_client c;
	struct perr err;
	size_t k;
	int n;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.kinds = kinds;
	c.nkinds = 2;
	c.challenge = test_random;
	c.challenge_len = 16;
	n = tls_hello_encode_ssl2(&c, out, sizeof(out), &err);
	assert_int_equal(n, 33);
	assert_memory_equal(out, want, sizeof(want));
	assert_memory_equal(out + 17, test_random, 16);

	/* a version-2-compatible TLS 1.0 hello with a TLS suite */
	kinds[1] = 0x00002f;
	c.version = 0x0301;
	c.challenge_len = 32;
	n = tls_hello_encode_ssl2(&c, out, sizeof(out), &err);
	assert_int_equal(n, 2 + 9 + 6 + 32);
	assert_int_equal(out[3], 0x03);
	assert_int_equal(out[4], 0x01);
	assert_memory_equal(out + 14, "\x00\x00\x2f", 3);
	assert_int_equal(out[10], 32);

	for (k = 0; k < (size_t)n; k++)
		assert_int_equal(tls_hello_encode_ssl2(&c, out, k, &err), -1);
	c.challenge_len = 15;
	assert_int_equal(tls_hello_encode_ssl2(&c, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "bad challenge length");
	c.challenge_len = 33;
	assert_int_equal(tls_hello_encode_ssl2(&c, out, sizeof(out), &err), -1);
	c.challenge_len = 16;
	c.challenge = NULL;
	assert_int_equal(tls_hello_encode_ssl2(&c, out, sizeof(out), &err), -1);
	c.challenge = test_random;
	kinds[0] = 0x01000000;
	assert_int_equal(tls_hello_encode_ssl2(&c, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "bad cipher kind");
	kinds[0] = 0x0700c0;
	c.nkinds = 0;
	assert_int_equal(tls_hello_encode_ssl2(&c, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "no cipher kinds");
	c.kinds = many;
	c.nkinds = (32767 - 9 - 16) / 3;
	n = tls_hello_encode_ssl2(&c, big, sizeof(big), &err);
	assert_int_equal(n, 2 + 9 + 16 + 3 * (int)c.nkinds);
	assert_int_equal(big[0], 0x80 | ((n - 2) >> 8));
	c.nkinds++;
	assert_int_equal(tls_hello_encode_ssl2(&c, big, sizeof(big), &err), -1);
	assert_string_equal(err.msg, "hello too long");
}

/* round trips of random cipher lists through the encoder */
static void
test_encode_roundtrip(void **state)
{
	uint8_t out[TLS_HELLO_BUFSIZE];
	uint16_t suites[600];
	uint8_t rnd[32];
	static struct chello ch;
	struct tls_hello_client c;
	struct perr err;
	size_t i, k, iter;
	int n;

	(void)state;
	for (iter = 0; iter < 500; iter++) {
		memset(&c, 0, sizeof(c));
		c.nsuites = 1 + rng() % NELEM(suites);
		for (k = 0; k < c.nsuites; k++) {
			suites[k] = (uint16_t)rng();
			if (suites[k] == 0x00ff || suites[k] == 0x5600)
				suites[k] = 0x002f;
		}
		for (i = 0; i < 32; i++)
			rnd[i] = (uint8_t)rng();
		c.suites = suites;
		c.random = rnd;
		c.version = (uint16_t)(0x0300 + rng() % 4);
		c.flags = rng() % 64;
		c.host = rng() % 2 ? "mx.example.org" : NULL;
		n = tls_hello_encode(&c, out, sizeof(out), &err);
		assert_true(n > 0);
		chello_parse(out, (size_t)n, &ch);
		assert_int_equal(ch.version, c.version);
		assert_memory_equal(ch.random, rnd, 32);
		assert_true(ch.nsuites >= c.nsuites);
		assert_memory_equal(ch.suites, suites, c.nsuites * 2);
		for (k = c.nsuites; k < ch.nsuites; k++)
			assert_true(
			    ch.suites[k] == 0x00ff || ch.suites[k] == 0x5600);
		if (c.flags & TLS_HELLO_F_FALLBACK_SCSV)
			assert_int_equal(ch.suites[ch.nsuites - 1], 0x5600);
		if (ch.has_ext)
			assert_true(ch.record_len < 256 ||
			    ch.record_len >= 512 ||
			    (c.flags & TLS_HELLO_F_NO_PADDING));
	}
}

/*
 * Parser
 */

/* parse_all - parse and check the invariants every result keeps */
static enum tls_hello_status
parse_all(const uint8_t *p, size_t len, bool eof, struct tls_hello_result *r)
{
	enum tls_hello_status st = tls_hello_parse(p, len, eof, r);
	size_t i;

	assert_int_equal(st, r->status);
	switch (st) {
	case TLS_HELLO_NEED_MORE:
		assert_false(eof);
		assert_true(r->need >= 1);
		break;
	case TLS_HELLO_DONE:
		assert_true(r->used <= len);
		assert_true(r->kind != TLS_HELLO_KIND_NONE);
		break;
	case TLS_HELLO_ERROR:
		assert_non_null(r->error);
		assert_true(r->error_off <= len);
		break;
	}
	assert_true(r->cert_off + r->cert_len <= len);
	assert_true(r->next <= TLS_HELLO_MAXEXT);
	assert_true(r->nssl2_specs <= TLS_HELLO_MAXSPECS);
	assert_true(r->ssl2_conn_id_off + r->ssl2_conn_id_len <= len);
	assert_true(r->garbage_len <= TLS_HELLO_PEEK);
	assert_non_null(memchr(r->excerpt, '\0', sizeof(r->excerpt)));
	for (i = 0; i < 32; i++)
		if (r->warnings & (1u << i))
			assert_non_null(tls_hello_warning_name(1u << i));
	return st;
}

/*
 * every_prefix - a valid input parses to the same DONE result at full
 * length; every shorter prefix says NEED_MORE (with a need that stays
 * within the input) without eof, and never NEED_MORE with eof
 */
static void
every_prefix(const uint8_t *p, size_t len, struct tls_hello_result *full)
{
	struct tls_hello_result r;
	size_t k;

	assert_int_equal(parse_all(p, len, false, full), TLS_HELLO_DONE);
	for (k = 0; k < len; k++) {
		if (parse_all(p, k, false, &r) == TLS_HELLO_NEED_MORE)
			assert_true(k + r.need <= len);
		else if (r.status == TLS_HELLO_DONE)
			assert_true(r.kind == full->kind);
		else
			fail_msg("error at prefix %zu: %s", k, r.error);
		parse_all(p, k, true, &r);
		if (r.status == TLS_HELLO_DONE && r.kind == full->kind &&
		    full->kind == TLS_HELLO_KIND_SERVER_HELLO && !r.certificate)
			assert_int_equal(r.cipher_suite, full->cipher_suite);
	}
}

static void
test_parse_real_tls12(void **state)
{
	static const uint16_t offered[] = { 0xc02f, 0xc030, 0x009c, 0x002f };
	struct tls_hello_offer offer = { 0x0303, offered, NELEM(offered), NULL,
		0 };
	struct tls_hello_verdict v;
	struct tls_hello_result r;

	(void)state;
	every_prefix(real_tls12_ecdhe_rsa, sizeof(real_tls12_ecdhe_rsa), &r);
	assert_int_equal(r.kind, TLS_HELLO_KIND_SERVER_HELLO);
	assert_int_equal(r.record_version, 0x0303);
	assert_int_equal(r.server_version, 0x0303);
	assert_int_equal(r.cipher_suite, 0xc02f);
	assert_int_equal(r.compression, 0);
	assert_int_equal(r.session_id_len, 32);
	assert_memory_equal(r.random, real_tls12_ecdhe_rsa + 11, 32);
	assert_true(r.has_extensions);
	assert_int_equal(r.next, 3);
	assert_int_equal(r.ext[0], TLS_HELLO_EXT_RENEGOTIATION_INFO);
	assert_true(r.reneg_info);
	assert_true(r.ems);
	assert_true(r.ec_point_formats);
	assert_false(r.supported_versions);
	assert_false(r.hrr);
	assert_int_equal(r.downgrade, 0);
	assert_int_equal(r.warnings, 0);
	assert_int_equal(r.next_msg, 11);
	assert_true(r.certificate);
	assert_int_equal(r.cert_off, 113);
	assert_int_equal(r.cert_len, REAL_CERT_LEN);
	assert_int_equal(r.cert_list_len, REAL_CERT_LEN + 3);
	assert_memory_equal(real_tls12_ecdhe_rsa + r.cert_off,
	    "\x30\x82\x03\x13\x30\x82\x01\xfb", 8);
	assert_int_equal(r.used, r.cert_off + r.cert_len);
	assert_false(r.alert);

	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_ACCEPTED);
	assert_int_equal(v.version, 0x0303);
	assert_int_equal(v.cipher, 0xc02f);
	assert_false(v.cipher_not_legal);
	/* offered as TLS 1.3-capable client? no: a lower-version view */
	offer.nsuites = 1;
	offer.suites = offered + 3;
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_ACCEPTED_UNOFFERED);
}

static void
test_parse_real_tls10_rc4(void **state)
{
	static const uint16_t offered[] = { 0x0005, 0x0004, 0x000a };
	struct tls_hello_offer offer = { 0x0301, offered, NELEM(offered), NULL,
		0 };
	struct tls_hello_verdict v;
	struct tls_hello_result r;
	const struct tls_suite *s;

	(void)state;
	every_prefix(real_tls10_rc4, sizeof(real_tls10_rc4), &r);
	assert_int_equal(r.record_version, 0x0301);
	assert_int_equal(r.server_version, 0x0301);
	assert_int_equal(r.cipher_suite, 0x0005);
	assert_int_equal(r.next, 2);
	assert_int_equal(r.ext[0], TLS_HELLO_EXT_EXTENDED_MASTER_SECRET);
	assert_int_equal(r.ext[1], TLS_HELLO_EXT_RENEGOTIATION_INFO);
	assert_true(r.certificate);
	assert_int_equal(r.cert_off, 105);
	assert_int_equal(r.cert_len, REAL_CERT_LEN);
	/* the same certificate as OpenSSL's flight */
	assert_memory_equal(
	    real_tls10_rc4 + 105, real_tls12_ecdhe_rsa + 113, REAL_CERT_LEN);
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_ACCEPTED);
	s = tls_suite_lookup((uint16_t)v.cipher);
	assert_true(tls_suite_flags(s) & TLS_SUITE_F_RC4);
	/* seen from a TLS 1.2 offer: 1.2 rejected, 1.0 accepted */
	offer.version = 0x0303;
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_REJECTED_VERSION);
	assert_int_equal(v.version, 0x0301);
	/* and from an SSLv3 offer: a server bug */
	offer.version = 0x0300;
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_VERSION_HIGHER);
}

static void
test_parse_sslv3(void **state)
{
	static const uint16_t offered[] = { 0x000a, 0x0005 };
	struct tls_hello_offer offer = { 0x0300, offered, NELEM(offered), NULL,
		0 };
	static struct pkt p;
	struct tls_hello_verdict v;
	struct tls_hello_result r;
	uint8_t cert[600];

	(void)state;
	fake_cert(cert, sizeof(cert));
	build_sslv3(&p, cert, sizeof(cert));
	every_prefix(p.b, p.n, &r);
	assert_int_equal(r.record_version, 0x0300);
	assert_int_equal(r.server_version, 0x0300);
	assert_int_equal(r.cipher_suite, 0x000a);
	assert_false(r.has_extensions);
	assert_int_equal(r.next, 0);
	assert_false(r.reneg_info);
	assert_int_equal(r.session_id_len, 32);
	assert_int_equal(r.session_id[0], 0xa0);
	assert_true(r.certificate);
	assert_int_equal(r.cert_len, sizeof(cert));
	assert_memory_equal(p.b + r.cert_off, cert, sizeof(cert));
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_ACCEPTED);
	assert_int_equal(v.version, 0x0300);
	assert_false(v.cipher_not_legal);
	/* a GCM suite in SSLv3 is not legal */
	p.b[5 + 4 + 2 + 32 + 1 + 32] = 0xc0;
	p.b[5 + 4 + 2 + 32 + 1 + 32 + 1] = 0x2f;
	assert_int_equal(parse_all(p.b, p.n, false, &r), TLS_HELLO_DONE);
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_ACCEPTED_UNOFFERED);
	assert_true(v.cipher_not_legal);
}

/* the real TLS 1.2 flight re-framed into records of many sizes */
static void
test_parse_fragmented(void **state)
{
	static const size_t sizes[] = { 1, 2, 3, 4, 5, 7, 38, 64, 97, 100, 500,
		900, 16384 };
	static struct pkt hs, p;
	struct tls_hello_result r, ref;
	size_t i;

	(void)state;
	assert_int_equal(parse_all(real_tls12_ecdhe_rsa,
	                     sizeof(real_tls12_ecdhe_rsa), false, &ref),
	    TLS_HELLO_DONE);
	unframe(real_tls12_ecdhe_rsa, sizeof(real_tls12_ecdhe_rsa), &hs);
	assert_int_equal(hs.n, 93 + 801 + 300 + 4);
	for (i = 0; i < NELEM(sizes); i++) {
		p.n = 0;
		frame(&p, hs.b, hs.n, sizes[i], 0x0303);
		if (sizes[i] == 1) {
			/* more records than the cap inside the ServerHello */
			assert_int_equal(
			    parse_all(p.b, p.n, false, &r), TLS_HELLO_ERROR);
			assert_string_equal(r.error, "too many records");
			continue;
		}
		if (sizes[i] < 15) {
			/* the cap is reached inside the certificate */
			assert_int_equal(
			    parse_all(p.b, p.n, false, &r), TLS_HELLO_DONE);
			assert_true(r.certificate);
			assert_int_equal(r.cert_len, 0);
			assert_true(r.warnings & TLS_HELLO_W_FLIGHT_TRUNCATED);
		} else {
			every_prefix(p.b, p.n, &r);
		}
		assert_int_equal(r.kind, TLS_HELLO_KIND_SERVER_HELLO);
		assert_int_equal(r.cipher_suite, 0xc02f);
		assert_int_equal(r.next, 3);
		assert_true(r.ems);
		assert_memory_equal(r.random, ref.random, 32);
		assert_true(r.certificate);
		if (sizes[i] >= 900) {
			/* ServerHello and Certificate share one record */
			assert_int_equal(r.cert_len, REAL_CERT_LEN);
			assert_memory_equal(p.b + r.cert_off,
			    real_tls12_ecdhe_rsa + ref.cert_off, REAL_CERT_LEN);
			assert_false(r.warnings & TLS_HELLO_W_CERT_SPLIT);
		} else if (sizes[i] >= 16) {
			assert_int_equal(r.cert_len, 0);
			assert_true(r.warnings & TLS_HELLO_W_CERT_SPLIT);
		}
	}
	/* at 16384 everything is coalesced into one record */
	assert_int_equal(p.n, hs.n + 5);
}

static void
test_parse_next_message(void **state)
{
	static struct pkt hs, p;
	struct tls_hello_result r;
	uint8_t cert[100];

	(void)state;
	/* anonymous: ServerKeyExchange follows, no certificate */
	hs.n = 0;
	hs_server_hello(&hs, 0x0303, test_random, 0, 0x0034, 0, NULL, 0);
	put8(&hs, 12);
	put24(&hs, 3);
	put24(&hs, 0x123456);
	p.n = 0;
	frame(&p, hs.b, hs.n, 16384, 0x0303);
	every_prefix(p.b, p.n, &r);
	assert_int_equal(r.next_msg, 12);
	assert_false(r.certificate);
	assert_int_equal(r.session_id_len, 0);
	assert_int_equal(r.used, 5 + 4 + 38 + 4);

	/* ServerHelloDone straight away (PSK) */
	hs.n = 0;
	hs_server_hello(&hs, 0x0303, test_random, 0, 0x008c, 0, NULL, 0);
	hs_server_hello_done(&hs);
	p.n = 0;
	frame(&p, hs.b, hs.n, 16384, 0x0303);
	every_prefix(p.b, p.n, &r);
	assert_int_equal(r.next_msg, 14);

	/* ServerHello, then a record of another type: done, no certificate */
	hs.n = 0;
	hs_server_hello(&hs, 0x0303, test_random, 0, 0x002f, 0, NULL, 0);
	p.n = 0;
	frame(&p, hs.b, hs.n, 16384, 0x0303);
	put8(&p, 20);
	put16(&p, 0x0303);
	put16(&p, 1);
	put8(&p, 1);
	every_prefix(p.b, p.n, &r);
	assert_int_equal(r.next_msg, -1);
	assert_false(r.certificate);
	assert_int_equal(r.used, 5 + 4 + 38);

	/* ServerHello, then a fatal alert */
	p.n = 0;
	frame(&p, hs.b, hs.n, 16384, 0x0303);
	alert_record(&p, 0x0303, 2, 40);
	every_prefix(p.b, p.n, &r);
	assert_int_equal(r.kind, TLS_HELLO_KIND_SERVER_HELLO);
	assert_true(r.alert);
	assert_int_equal(r.alert_desc, 40);
	assert_false(r.alert_before_hello);

	/* ServerHello alone at eof: the flight was cut */
	p.n = 0;
	frame(&p, hs.b, hs.n, 16384, 0x0303);
	assert_int_equal(parse_all(p.b, p.n, false, &r), TLS_HELLO_NEED_MORE);
	assert_int_equal(r.need, 5);
	assert_int_equal(r.kind, TLS_HELLO_KIND_SERVER_HELLO);
	assert_int_equal(parse_all(p.b, p.n, true, &r), TLS_HELLO_DONE);
	assert_true(r.warnings & TLS_HELLO_W_FLIGHT_TRUNCATED);
	assert_int_equal(r.cipher_suite, 0x002f);

	/* an empty certificate list, and a malformed one */
	hs.n = 0;
	hs_server_hello(&hs, 0x0303, test_random, 0, 0x002f, 0, NULL, 0);
	put8(&hs, 11);
	put24(&hs, 3);
	put24(&hs, 0);
	p.n = 0;
	frame(&p, hs.b, hs.n, 16384, 0x0303);
	every_prefix(p.b, p.n, &r);
	assert_true(r.certificate);
	assert_int_equal(r.cert_len, 0);
	assert_int_equal(r.cert_list_len, 0);
	hs.n -= 6;
	put24(&hs, 10);
	put24(&hs, 8);
	put24(&hs, 999); /* longer than the message */
	put24(&hs, 0);
	p.n = 0;
	frame(&p, hs.b, hs.n, 16384, 0x0303);
	assert_int_equal(parse_all(p.b, p.n, false, &r), TLS_HELLO_DONE);
	assert_true(r.warnings & TLS_HELLO_W_CERT_MALFORMED);
	assert_int_equal(r.cert_len, 0);

	/* a certificate over TLS_HELLO_MAXCERT is not waited for */
	hs.n = 0;
	hs_server_hello(&hs, 0x0303, test_random, 0, 0x002f, 0, NULL, 0);
	put8(&hs, 11);
	put24(&hs, 70006);
	put24(&hs, 70003);
	put24(&hs, 70000);
	p.n = 0;
	frame(&p, hs.b, hs.n, 16384, 0x0303);
	assert_int_equal(parse_all(p.b, p.n, false, &r), TLS_HELLO_DONE);
	assert_true(r.warnings & TLS_HELLO_W_CERT_TOO_BIG);

	/* a HelloRequest before the ServerHello is skipped */
	hs.n = 0;
	put8(&hs, 0);
	put24(&hs, 0);
	hs_server_hello(&hs, 0x0303, test_random, 0, 0x002f, 0, NULL, 0);
	fake_cert(cert, sizeof(cert));
	hs_certificate(&hs, cert, sizeof(cert));
	p.n = 0;
	frame(&p, hs.b, hs.n, 16384, 0x0303);
	every_prefix(p.b, p.n, &r);
	assert_true(r.warnings & TLS_HELLO_W_HELLO_REQUEST);
	assert_int_equal(r.cert_len, sizeof(cert));
}

/* exts - append one extension to a raw extensions block */
static void
ext_add(struct pkt *e, unsigned int type, const void *data, size_t len)
{
	put16(e, type);
	put16(e, (unsigned int)len);
	if (len > 0)
		putbytes(e, data, len);
}

static void
test_parse_extensions(void **state)
{
	static struct pkt hs, p, e;
	struct tls_hello_result r;
	static const struct tls_hello_offer offer12 = { 0x0303, NULL, 0, NULL,
		0 };
	struct tls_hello_verdict v;
	uint8_t rnd[32];

	(void)state;
	/* many extensions, known and unknown */
	e.n = 0;
	ext_add(&e, TLS_HELLO_EXT_SERVER_NAME, NULL, 0);
	ext_add(&e, TLS_HELLO_EXT_RENEGOTIATION_INFO, "\x00", 1);
	ext_add(&e, TLS_HELLO_EXT_EXTENDED_MASTER_SECRET, NULL, 0);
	ext_add(&e, TLS_HELLO_EXT_SESSION_TICKET, NULL, 0);
	ext_add(&e, TLS_HELLO_EXT_STATUS_REQUEST, NULL, 0);
	ext_add(&e, TLS_HELLO_EXT_ENCRYPT_THEN_MAC, NULL, 0);
	ext_add(&e, TLS_HELLO_EXT_HEARTBEAT, "\x01", 1);
	ext_add(&e, TLS_HELLO_EXT_ALPN, "\x00\x03\x02h2", 5);
	ext_add(&e, 0x1234, "abc", 3);
	hs.n = 0;
	hs_server_hello(&hs, 0x0303, test_random, 32, 0xc030, 1, e.b, e.n);
	hs_server_hello_done(&hs);
	p.n = 0;
	frame(&p, hs.b, hs.n, 16384, 0x0303);
	every_prefix(p.b, p.n, &r);
	assert_int_equal(r.next, 9);
	assert_true(r.sni_ack && r.reneg_info && r.ems && r.session_ticket &&
	    r.status_request && r.encrypt_then_mac && r.heartbeat && r.alpn);
	assert_int_equal(r.ext[8], 0x1234);
	assert_int_equal(r.compression, 1);
	assert_int_equal(r.warnings, 0);

	/* TLS 1.3 answer to a 1.2 hello: supported_versions, key_share */
	e.n = 0;
	ext_add(&e, TLS_HELLO_EXT_SUPPORTED_VERSIONS, "\x03\x04", 2);
	ext_add(
	    &e, TLS_HELLO_EXT_KEY_SHARE, "\x00\x1d\x00\x04\x01\x02\x03\x04", 8);
	hs.n = 0;
	hs_server_hello(&hs, 0x0303, test_random, 32, 0x1301, 0, e.b, e.n);
	p.n = 0;
	frame(&p, hs.b, hs.n, 16384, 0x0303);
	/* what a TLS 1.3 server sends next: change_cipher_spec, then data */
	put8(&p, 20);
	put16(&p, 0x0303);
	put16(&p, 1);
	put8(&p, 1);
	every_prefix(p.b, p.n, &r);
	assert_true(r.supported_versions);
	assert_int_equal(r.selected_version, 0x0304);
	assert_int_equal(r.key_share_group, 29);
	assert_int_equal(r.next_msg, -1);
	assert_int_equal(r.used, 5 + hs.n);
	tls_hello_classify(&r, &offer12, &v);
	assert_int_equal(v.outcome, TLS_HELLO_VERSION_HIGHER);
	assert_int_equal(v.version, 0x0304);
	/* and nothing is needed after it */
	assert_int_equal(parse_all(p.b, 5 + hs.n, false, &r), TLS_HELLO_DONE);

	/* a HelloRetryRequest */
	memcpy(rnd,
	    "\xcf\x21\xad\x74\xe5\x9a\x61\x11\xbe\x1d\x8c\x02\x1e\x65\xb8\x91"
	    "\xc2\xa2\x11\x16\x7a\xbb\x8c\x5e\x07\x9e\x09\xe2\xc8\xa8\x33\x9c",
	    32);
	e.n = 0;
	ext_add(&e, TLS_HELLO_EXT_SUPPORTED_VERSIONS, "\x03\x04", 2);
	ext_add(&e, TLS_HELLO_EXT_KEY_SHARE, "\x00\x17", 2);
	hs.n = 0;
	hs_server_hello(&hs, 0x0303, rnd, 0, 0x1302, 0, e.b, e.n);
	p.n = 0;
	frame(&p, hs.b, hs.n, 16384, 0x0303);
	every_prefix(p.b, p.n, &r);
	assert_true(r.hrr);
	assert_int_equal(r.key_share_group, 23);

	/* the downgrade sentinels */
	memcpy(rnd, test_random, 32);
	memcpy(rnd + 24, "DOWNGRD\x00", 8);
	hs.n = 0;
	hs_server_hello(&hs, 0x0301, rnd, 0, 0x002f, 0, NULL, 0);
	hs_server_hello_done(&hs);
	p.n = 0;
	frame(&p, hs.b, hs.n, 16384, 0x0301);
	every_prefix(p.b, p.n, &r);
	assert_int_equal(r.downgrade, 11);
	p.b[5 + 4 + 2 + 31] = 1; /* the random's last byte */
	assert_int_equal(parse_all(p.b, p.n, false, &r), TLS_HELLO_DONE);
	assert_int_equal(r.downgrade, 12);
}

struct malformed_case {
	const char *what;
	uint8_t in[96];
	size_t len;
	bool eof;
	enum tls_hello_status status;
	const char *error; /* or NULL */
	uint32_t warnings; /* required bits */
};

/* sh - a minimal ServerHello record prefix, for the table below */
#define SH_HDR(reclen, hslen) \
	0x16, 0x03, 0x03, 0x00, reclen, 0x02, 0x00, 0x00, hslen, 0x03, 0x03
#define RND32                                                                  \
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, \
	    21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32

static void
test_parse_malformed(void **state)
{
	static const struct malformed_case cases[] = {
		{ "empty at eof", { 0 }, 0, true, TLS_HELLO_ERROR,
		    "empty response", 0 },
		{ "empty", { 0 }, 0, false, TLS_HELLO_NEED_MORE, NULL, 0 },
		{ "application data first",
		    { 0x17, 0x03, 0x03, 0x00, 0x02, 0x01, 0x02 }, 7, false,
		    TLS_HELLO_ERROR, "unexpected record type", 0 },
		{ "change cipher spec first",
		    { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 }, 6, false,
		    TLS_HELLO_ERROR, "unexpected record type", 0 },
		{ "certificate first",
		    { 0x16, 0x03, 0x03, 0x00, 0x04, 0x0b, 0x00, 0x00, 0x00 }, 9,
		    false, TLS_HELLO_ERROR, "unexpected handshake message", 0 },
		{ "short server hello",
		    { 0x16, 0x03, 0x03, 0x00, 0x06, 0x02, 0x00, 0x00, 0x02,
		        0x03, 0x03 },
		    11, false, TLS_HELLO_ERROR, "short server hello", 0 },
		{ "session id past the message",
		    { SH_HDR(42, 38), RND32, 0x05, 0x00, 0x2f, 0x00 }, 47,
		    false, TLS_HELLO_ERROR, "short server hello", 0 },
		{ "record too long", { 0x16, 0x03, 0x03, 0x48, 0x01, 0x02 }, 6,
		    false, TLS_HELLO_ERROR, "record too long", 0 },
		{ "record over 2^14",
		    { 0x16, 0x03, 0x03, 0x40, 0x01, 0x02, 0x00, 0x00, 0x26 }, 9,
		    false, TLS_HELLO_NEED_MORE, NULL, TLS_HELLO_W_RECORD_LONG },
		{ "second record of another major version",
		    { 0x16, 0x03, 0x03, 0x00, 0x01, 0x02, 0x16, 0x02, 0x00,
		        0x00, 0x01, 0x00 },
		    12, false, TLS_HELLO_ERROR, "bad record version", 0 },
		{ "truncated server hello at eof", { SH_HDR(42, 38), 1, 2, 3 },
		    14, true, TLS_HELLO_ERROR, "truncated server hello", 0 },
		{ "truncated record header at eof", { 0x16, 0x03, 0x03 }, 3,
		    true, TLS_HELLO_ERROR, "truncated record", 0 },
		{ "one byte at eof", { 0x16 }, 1, true, TLS_HELLO_ERROR,
		    "truncated record", 0 },
		{ "short alert", { 0x15, 0x03, 0x03, 0x00, 0x01, 0x02 }, 6,
		    false, TLS_HELLO_ERROR, "short alert", 0 },
		{ "warning alert in a record too long (fuzz)",
		    { 0x15, 0x03, 0x01, 0xfe, 0x02, 0x01, 0x70 }, 7, false,
		    TLS_HELLO_ERROR, "record too long", 0 },
		{ "extensions past the message",
		    { SH_HDR(44, 40), RND32, 0x00, 0x00, 0x2f, 0x00, 0x00,
		        0x09 },
		    49, true, TLS_HELLO_DONE, NULL,
		    TLS_HELLO_W_EXT_MALFORMED | TLS_HELLO_W_FLIGHT_TRUNCATED },
		{ "one trailing byte",
		    { SH_HDR(43, 39), RND32, 0x00, 0x00, 0x2f, 0x00, 0x07 }, 48,
		    true, TLS_HELLO_DONE, NULL, TLS_HELLO_W_TRAILING },
		{ "extension longer than the block",
		    { SH_HDR(48, 44), RND32, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x04,
		        0xff, 0x01, 0x00, 0x09 },
		    53, true, TLS_HELLO_DONE, NULL, TLS_HELLO_W_EXT_MALFORMED },
		{ "duplicate extensions, renegotiation data",
		    { SH_HDR(52, 48), RND32, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x08,
		        0x00, 0x17, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00 },
		    57, true, TLS_HELLO_DONE, NULL, TLS_HELLO_W_DUP_EXT },
		{ "renegotiation_info not empty",
		    { SH_HDR(51, 47), RND32, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x07,
		        0xff, 0x01, 0x00, 0x03, 0x02, 0xaa, 0xbb },
		    56, true, TLS_HELLO_DONE, NULL,
		    TLS_HELLO_W_RENEG_NOT_EMPTY },
		{ "empty record before the hello",
		    { 0x16, 0x03, 0x03, 0x00, 0x00, 0x16, 0x03, 0x03, 0x00,
		        0x01, 0x02 },
		    11, false, TLS_HELLO_NEED_MORE, NULL,
		    TLS_HELLO_W_EMPTY_RECORD },
		{ "records of different versions",
		    { 0x16, 0x03, 0x03, 0x00, 0x01, 0x02, 0x16, 0x03, 0x01,
		        0x00, 0x01, 0x00 },
		    12, false, TLS_HELLO_NEED_MORE, NULL,
		    TLS_HELLO_W_RECORD_VERSION },
		{ "hello, then garbage record",
		    { SH_HDR(42, 38), RND32, 0x00, 0x00, 0x2f, 0x00, 'H', 'T',
		        'T', 'P', '/' },
		    52, false, TLS_HELLO_DONE, NULL, 0 },
		{ "alert record cut mid-hello",
		    { 0x16, 0x03, 0x03, 0x00, 0x03, 0x02, 0x00, 0x00, 0x15,
		        0x03, 0x03, 0x00, 0x02, 0x02, 0x28 },
		    15, false, TLS_HELLO_DONE, NULL, 0 },
		{ "long alert after an empty record (fuzz)",
		    { 0x16, 0x03, 0x20, 0x00, 0x00, 0x15, 0x03, 0x00, 0x00,
		        0x37, 0x02, 0x28 },
		    12, false, TLS_HELLO_DONE, NULL,
		    TLS_HELLO_W_EMPTY_RECORD | TLS_HELLO_W_ALERT_LONG },
		{ "non-alert record cut mid-hello",
		    { 0x16, 0x03, 0x03, 0x00, 0x03, 0x02, 0x00, 0x00, 0x17,
		        0x03, 0x03, 0x00, 0x02, 0x02, 0x28 },
		    15, false, TLS_HELLO_ERROR, "unexpected record type", 0 },
		{ "ssl2 record too short for a hello",
		    { 0x80, 0x05, 0x04, 0x00, 0x01, 0x00, 0x02 }, 7, false,
		    TLS_HELLO_ERROR, "short ssl2 record", 0 },
		{ "ssl2 error too short", { 0x80, 0x02, 0x00, 0x00 }, 4, false,
		    TLS_HELLO_ERROR, "short ssl2 record", 0 },
		{ "ssl2 lengths exceed the record",
		    { 0x80, 0x0b, 0x04, 0x00, 0x01, 0x00, 0x02, 0x00, 0x01,
		        0x00, 0x00, 0x00, 0x00 },
		    13, false, TLS_HELLO_ERROR, "ssl2 lengths exceed record",
		    0 },
		{ "ssl2 record truncated at eof",
		    { 0x80, 0x20, 0x04, 0x00, 0x01 }, 5, true, TLS_HELLO_ERROR,
		    "truncated ssl2 record", 0 },
	};
	struct tls_hello_result r;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		parse_all(cases[i].in, cases[i].len, cases[i].eof, &r);
		if (r.status != cases[i].status)
			fail_msg("%s: status %d", cases[i].what, r.status);
		if (cases[i].error != NULL &&
		    strcmp(r.error, cases[i].error) != 0)
			fail_msg("%s: error %s", cases[i].what, r.error);
		if ((r.warnings & cases[i].warnings) != cases[i].warnings)
			fail_msg("%s: warnings %#x", cases[i].what, r.warnings);
	}
}

static void
test_parse_too_many_records(void **state)
{
	static struct pkt hs, p;
	struct tls_hello_result r;

	(void)state;
	hs.n = 0;
	hs_server_hello(&hs, 0x0303, test_random, 32, 0x002f, 0, NULL, 0);
	p.n = 0;
	frame(&p, hs.b, hs.n, 1, 0x0303);
	assert_int_equal(parse_all(p.b, p.n, false, &r), TLS_HELLO_ERROR);
	assert_string_equal(r.error, "too many records");
	assert_int_equal(r.error_off, 64 * 6);
	/* empty records count as well */
	p.n = 0;
	while (p.n < 65 * 5) {
		put8(&p, 22);
		put16(&p, 0x0303);
		put16(&p, 0);
	}
	assert_int_equal(parse_all(p.b, p.n, false, &r), TLS_HELLO_ERROR);
	assert_string_equal(r.error, "too many records");
}

static void
test_parse_alerts(void **state)
{
	static const struct {
		uint8_t desc;
		const char *name;
	} names[] = {
		{ 40, "handshake_failure" },
		{ 70, "protocol_version" },
		{ 71, "insufficient_security" },
		{ 47, "illegal_parameter" },
		{ 50, "decode_error" },
		{ 112, "unrecognized_name" },
		{ 86, "inappropriate_fallback" },
		{ 80, "internal_error" },
		{ 0, "close_notify" },
		{ 10, "unexpected_message" },
	};
	static struct pkt p, hs;
	struct tls_hello_offer offer = { 0x0300, NULL, 0, NULL, 0 };
	struct tls_hello_verdict v;
	struct tls_hello_result r;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(names); i++) {
		p.n = 0;
		alert_record(&p, 0x0301, 2, names[i].desc);
		every_prefix(p.b, p.n, &r);
		assert_int_equal(r.kind, TLS_HELLO_KIND_ALERT);
		assert_true(r.alert);
		assert_int_equal(r.alert_level, 2);
		assert_int_equal(r.alert_desc, names[i].desc);
		assert_int_equal(r.record_version, 0x0301);
		assert_string_equal(
		    tls_hello_alert_name(names[i].desc), names[i].name);
		tls_hello_classify(&r, &offer, &v);
		assert_int_equal(v.outcome, TLS_HELLO_REJECTED_ALERT);
	}
	assert_null(tls_hello_alert_name(255));
	assert_string_equal(tls_hello_alert_level_name(1), "warning");
	assert_string_equal(tls_hello_alert_level_name(2), "fatal");
	assert_null(tls_hello_alert_level_name(3));

	/* warning close_notify ends it */
	p.n = 0;
	alert_record(&p, 0x0303, 1, 0);
	assert_int_equal(parse_all(p.b, p.n, false, &r), TLS_HELLO_DONE);
	assert_int_equal(r.kind, TLS_HELLO_KIND_ALERT);

	/* a warning unrecognized_name, then the ServerHello */
	p.n = 0;
	alert_record(&p, 0x0303, 1, 112);
	assert_int_equal(parse_all(p.b, p.n, false, &r), TLS_HELLO_NEED_MORE);
	assert_int_equal(r.kind, TLS_HELLO_KIND_ALERT);
	assert_int_equal(r.need, 5);
	assert_int_equal(parse_all(p.b, p.n, true, &r), TLS_HELLO_DONE);
	assert_int_equal(r.kind, TLS_HELLO_KIND_ALERT);
	hs.n = 0;
	hs_server_hello(&hs, 0x0303, test_random, 0, 0x002f, 0, NULL, 0);
	hs_server_hello_done(&hs);
	frame(&p, hs.b, hs.n, 16384, 0x0303);
	every_prefix(p.b, p.n, &r);
	assert_int_equal(r.kind, TLS_HELLO_KIND_SERVER_HELLO);
	assert_true(r.alert);
	assert_true(r.alert_before_hello);
	assert_int_equal(r.alert_desc, 112);
	assert_int_equal(r.next_msg, 14);

	/* an alert record longer than one alert */
	p.n = 0;
	put8(&p, 21);
	put16(&p, 0x0303);
	put16(&p, 4);
	put8(&p, 2);
	put8(&p, 40);
	put8(&p, 2);
	put8(&p, 40);
	assert_int_equal(parse_all(p.b, p.n, false, &r), TLS_HELLO_DONE);
	assert_true(r.warnings & TLS_HELLO_W_ALERT_LONG);
	assert_int_equal(r.used, 9);
	/* a long warning alert waits for its end before the next record */
	p.b[5] = 1;
	p.b[6] = 112;
	assert_int_equal(parse_all(p.b, 8, false, &r), TLS_HELLO_NEED_MORE);
	assert_int_equal(r.need, 1);
	assert_int_equal(parse_all(p.b, 9, false, &r), TLS_HELLO_NEED_MORE);
	assert_int_equal(r.need, 5);

	/* a real one: OpenSSL 3 refusing TLS 1.0 */
	assert_int_equal(
	    parse_all(
	        (const uint8_t *)"\x15\x03\x01\x00\x02\x02\x46", 7, false, &r),
	    TLS_HELLO_DONE);
	assert_int_equal(r.alert_desc, TLS_HELLO_ALERT_PROTOCOL_VERSION);
}

static void
test_parse_ssl2(void **state)
{
	static const uint32_t kinds[] = { 0x0700c0, 0x010080, 0x020080 };
	static const uint32_t offered[] = { 0x010080, 0x030080 };
	static struct pkt p;
	struct tls_hello_offer offer = { 0x0002, NULL, 0, offered,
		NELEM(offered) };
	struct tls_hello_verdict v;
	struct tls_hello_result r;
	uint8_t cert[500];
	size_t i;

	(void)state;
	fake_cert(cert, sizeof(cert));
	build_ssl2_hello(&p, cert, sizeof(cert), kinds, NELEM(kinds));
	every_prefix(p.b, p.n, &r);
	assert_int_equal(r.kind, TLS_HELLO_KIND_SSL2_HELLO);
	assert_false(r.ssl2_session_id_hit);
	assert_int_equal(r.ssl2_cert_type, 1);
	assert_int_equal(r.ssl2_version, 0x0002);
	assert_int_equal(r.cert_off, 13);
	assert_int_equal(r.cert_len, sizeof(cert));
	assert_memory_equal(p.b + r.cert_off, cert, sizeof(cert));
	assert_int_equal(r.nssl2_specs, 3);
	assert_int_equal(r.ssl2_specs_total, 3);
	for (i = 0; i < NELEM(kinds); i++)
		assert_int_equal(r.ssl2_specs[i], kinds[i]);
	assert_int_equal(r.ssl2_conn_id_len, 16);
	assert_int_equal(p.b[r.ssl2_conn_id_off], 0xc0);
	assert_int_equal(r.warnings, 0);
	assert_int_equal(r.used, p.n);
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_ACCEPTED);
	assert_int_equal(v.version, 0x0002);
	assert_int_equal(v.nshared, 1);
	assert_int_equal(v.cipher, 0x010080);
	/* listing only kinds that were not offered */
	offer.nkinds = 1;
	offer.kinds = offered + 1;
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_ACCEPTED_UNOFFERED);
	/* SSLv2 on, no ciphers (CVE-2015-3197 servers) */
	build_ssl2_hello(&p, cert, sizeof(cert), kinds, 0);
	every_prefix(p.b, p.n, &r);
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_SSL2_NO_CIPHERS);
	/* an SSLv2 answer to a TLS hello */
	offer.version = 0x0301;
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_OTHER_PROTOCOL);
	offer.version = 0x0002;

	/* lenient: odd spec length, short connection id, trailing bytes */
	build_ssl2_hello(&p, cert, 40, kinds, 2);
	set16(&p, 9, 7);
	set16(&p, 11, 8);
	assert_int_equal(parse_all(p.b, p.n, false, &r), TLS_HELLO_DONE);
	assert_true(r.warnings & TLS_HELLO_W_SSL2_SPECS_LEN);
	assert_true(r.warnings & TLS_HELLO_W_SSL2_CONN_ID);
	assert_true(r.warnings & TLS_HELLO_W_TRAILING);
	assert_int_equal(r.nssl2_specs, 2);

	/* more kinds than are kept */
	{
		static uint32_t lots[100];

		for (i = 0; i < NELEM(lots); i++)
			lots[i] = (uint32_t)i;
		build_ssl2_hello(&p, cert, 40, lots, NELEM(lots));
		assert_int_equal(
		    parse_all(p.b, p.n, false, &r), TLS_HELLO_DONE);
		assert_int_equal(r.nssl2_specs, TLS_HELLO_MAXSPECS);
		assert_int_equal(r.ssl2_specs_total, 100);
		assert_true(r.warnings & TLS_HELLO_W_SSL2_MANY_SPECS);
	}

	/* ERROR: NO-CIPHER */
	p.n = 0;
	putbytes(&p, "\x80\x03\x00\x00\x01", 5);
	every_prefix(p.b, p.n, &r);
	assert_int_equal(r.kind, TLS_HELLO_KIND_SSL2_ERROR);
	assert_int_equal(r.ssl2_error, TLS_HELLO_SSL2_NO_CIPHER);
	assert_string_equal(
	    tls_hello_ssl2_error_name(r.ssl2_error), "no_cipher");
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_REJECTED_SSL2_ERROR);
	assert_string_equal(
	    tls_hello_ssl2_error_name(6), "unsupported_certificate_type");
	assert_null(tls_hello_ssl2_error_name(3));

	/* a TLS ServerHello to an SSLv2 hello */
	assert_int_equal(
	    parse_all(real_tls10_rc4, sizeof(real_tls10_rc4), false, &r),
	    TLS_HELLO_DONE);
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_OTHER_PROTOCOL);
}

static void
test_parse_garbage(void **state)
{
	static const struct {
		const char *in;
		enum tls_hello_garbage g;
		const char *excerpt;
	} cases[] = {
		{ "220 mx ESMTP\r\n", TLS_HELLO_GARBAGE_SMTP,
		    "220 mx ESMTP\\r\\n" },
		{ "502 5.5.2 Error: command not recognized\r\n",
		    TLS_HELLO_GARBAGE_SMTP,
		    "502 5.5.2 Error: command not recognized\\r\\n" },
		{ "421-mx busy\r\n", TLS_HELLO_GARBAGE_SMTP,
		    "421-mx busy\\r\\n" },
		{ "HTTP/1.1 400 Bad Request\r\n", TLS_HELLO_GARBAGE_HTTP,
		    "HTTP/1.1 400 Bad Request\\r\\n" },
		{ "* OK IMAP4rev1\r\n", TLS_HELLO_GARBAGE_TEXT,
		    "* OK IMAP4rev1\\r\\n" },
		{ "a\\b\tc\n", TLS_HELLO_GARBAGE_TEXT, "a\\\\b\\tc\\n" },
		{ "\x16\x02\x00\x00\n", TLS_HELLO_GARBAGE_BINARY,
		    "\\x16\\x02\\x00\\x00\\n" },
		{ "\x80\x10\x07\xff\n", TLS_HELLO_GARBAGE_BINARY,
		    "\\x80\\x10\\x07\\xff\\n" },
	};
	struct tls_hello_offer offer = { 0x0303, NULL, 0, NULL, 0 };
	struct tls_hello_verdict v;
	struct tls_hello_result r;
	uint8_t bin[200];
	size_t i, len;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		len = strlen(cases[i].in);
		if (cases[i].g == TLS_HELLO_GARBAGE_BINARY)
			len = 5; /* NULs inside */
		assert_int_equal(
		    parse_all((const uint8_t *)cases[i].in, len, false, &r),
		    TLS_HELLO_DONE);
		assert_int_equal(r.kind, TLS_HELLO_KIND_GARBAGE);
		assert_int_equal(r.garbage, cases[i].g);
		assert_int_equal(r.garbage_len, len);
		assert_string_equal(r.excerpt, cases[i].excerpt);
		tls_hello_classify(&r, &offer, &v);
		assert_int_equal(v.outcome, TLS_HELLO_GARBAGE);
	}
	/* a line not yet ended waits, unless the connection closed */
	assert_int_equal(parse_all((const uint8_t *)"220 mx", 6, false, &r),
	    TLS_HELLO_NEED_MORE);
	assert_int_equal(r.kind, TLS_HELLO_KIND_GARBAGE);
	assert_int_equal(r.garbage, TLS_HELLO_GARBAGE_SMTP);
	assert_int_equal(
	    parse_all((const uint8_t *)"220 mx", 6, true, &r), TLS_HELLO_DONE);
	assert_string_equal(r.excerpt, "220 mx");
	/* binary: decided at TLS_HELLO_PEEK bytes, every byte escaped */
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (uint8_t)(0xc0 + i % 7);
	bin[2] = 0x33;
	assert_int_equal(parse_all(bin, 63, false, &r), TLS_HELLO_NEED_MORE);
	assert_int_equal(
	    parse_all(bin, sizeof(bin), false, &r), TLS_HELLO_DONE);
	assert_int_equal(r.garbage, TLS_HELLO_GARBAGE_BINARY);
	assert_int_equal(r.garbage_len, TLS_HELLO_PEEK);
	assert_int_equal(strlen(r.excerpt), TLS_HELLO_PEEK * 4 - 3);
	assert_memory_equal(r.excerpt, "\\xc0\\xc13\\xc3", 13);
	/* the worst case fills the excerpt exactly */
	memset(bin, 0xff, sizeof(bin));
	assert_int_equal(
	    parse_all(bin, sizeof(bin), false, &r), TLS_HELLO_DONE);
	assert_int_equal(strlen(r.excerpt), sizeof(r.excerpt) - 1);
	/* a TLS-looking first byte with a wrong second one */
	assert_int_equal(parse_all((const uint8_t *)"\x15", 1, false, &r),
	    TLS_HELLO_NEED_MORE);
	assert_int_equal(
	    parse_all((const uint8_t *)"\x15Z", 2, true, &r), TLS_HELLO_DONE);
	assert_int_equal(r.kind, TLS_HELLO_KIND_GARBAGE);
	assert_int_equal(parse_all((const uint8_t *)"\x90\x01", 2, false, &r),
	    TLS_HELLO_NEED_MORE);
	assert_int_equal(r.need, 1);
}

/* random bytes and random damage to valid flights never break a rule */
static void
test_parse_random(void **state)
{
	static struct pkt p;
	struct tls_hello_result r;
	uint8_t buf[1500];
	size_t iter, len, i, k;

	(void)state;
	for (iter = 0; iter < 3000; iter++) {
		len = rng() % sizeof(buf);
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rng();
		/* steer a third of them into the TLS and SSLv2 paths */
		if (len > 3 && iter % 3 == 1) {
			buf[0] = (uint8_t)(0x14 + rng() % 5);
			buf[1] = 3;
		} else if (len > 3 && iter % 3 == 2) {
			buf[0] |= 0x80;
			buf[2] = rng() % 2 ? 4 : 0;
		}
		parse_all(buf, len, rng() % 2, &r);
	}
	for (iter = 0; iter < 3000; iter++) {
		memcpy(p.b, real_tls12_ecdhe_rsa, sizeof(real_tls12_ecdhe_rsa));
		p.n = sizeof(real_tls12_ecdhe_rsa);
		for (k = 0; k < 1 + rng() % 4; k++)
			p.b[rng() % 200] = (uint8_t)rng();
		len = rng() % (p.n + 1);
		parse_all(p.b, len, rng() % 2, &r);
	}
}

static void
test_classify(void **state)
{
	static const uint16_t offered[] = { 0x002f };
	struct tls_hello_offer offer = { 0x0303, offered, 1, NULL, 0 };
	struct tls_hello_verdict v;
	struct tls_hello_result r;

	(void)state;
	assert_int_equal(parse_all(NULL, 0, true, &r), TLS_HELLO_ERROR);
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_CLOSED);
	assert_int_equal(parse_all(NULL, 0, false, &r), TLS_HELLO_NEED_MORE);
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_INCOMPLETE);
	assert_int_equal(
	    parse_all((const uint8_t *)"\x17\x03\x03\x00\x00", 5, false, &r),
	    TLS_HELLO_ERROR);
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_MALFORMED);
	/* a ServerHello choosing an SCSV is not legal */
	assert_int_equal(parse_all(real_tls12_ecdhe_rsa,
	                     sizeof(real_tls12_ecdhe_rsa), false, &r),
	    TLS_HELLO_DONE);
	r.cipher_suite = 0x00ff;
	tls_hello_classify(&r, &offer, &v);
	assert_int_equal(v.outcome, TLS_HELLO_ACCEPTED_UNOFFERED);
	assert_true(v.cipher_not_legal);
	r.cipher_suite = 0xeeee;
	tls_hello_classify(&r, &offer, &v);
	assert_true(v.cipher_not_legal);
}

static void
test_names(void **state)
{
	uint32_t bit;
	int i;

	(void)state;
	assert_string_equal(tls_hello_version_name(0x0002), "SSLv2");
	assert_string_equal(tls_hello_version_name(0x0300), "SSLv3");
	assert_string_equal(tls_hello_version_name(0x0301), "TLSv1.0");
	assert_string_equal(tls_hello_version_name(0x0303), "TLSv1.2");
	assert_string_equal(tls_hello_version_name(0x0304), "TLSv1.3");
	assert_null(tls_hello_version_name(0x0305));
	assert_string_equal(tls_hello_ext_name(0xff01), "renegotiation_info");
	assert_string_equal(tls_hello_ext_name(43), "supported_versions");
	assert_string_equal(tls_hello_ext_name(23), "extended_master_secret");
	assert_null(tls_hello_ext_name(0x1234));
	for (i = 0; i < TLS_HELLO_KIND_MAX; i++)
		assert_string_not_equal(
		    tls_hello_kind_name((enum tls_hello_kind)i), "?");
	for (i = 0; i < TLS_HELLO_GARBAGE_MAX; i++)
		assert_string_not_equal(
		    tls_hello_garbage_name((enum tls_hello_garbage)i), "?");
	for (i = 0; i < TLS_HELLO_OUTCOME_MAX; i++)
		assert_string_not_equal(
		    tls_hello_outcome_name((enum tls_hello_outcome)i), "?");
	assert_string_equal(tls_hello_kind_name(TLS_HELLO_KIND_MAX), "?");
	assert_string_equal(tls_hello_garbage_name(TLS_HELLO_GARBAGE_MAX), "?");
	assert_string_equal(tls_hello_outcome_name(TLS_HELLO_OUTCOME_MAX), "?");
	assert_string_equal(tls_hello_outcome_name(TLS_HELLO_REJECTED_VERSION),
	    "rejected-version");
	for (bit = 1; bit <= TLS_HELLO_W_SSL2_SESSION_HIT; bit <<= 1)
		assert_non_null(tls_hello_warning_name(bit));
	assert_null(tls_hello_warning_name(TLS_HELLO_W_SSL2_SESSION_HIT << 1));
	assert_null(tls_hello_warning_name(3));
	assert_string_equal(
	    tls_hello_warning_name(TLS_HELLO_W_DUP_EXT), "dup-ext");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suites_table),
		cmocka_unit_test(test_suites_known),
		cmocka_unit_test(test_suites_select),
		cmocka_unit_test(test_suites_names),
		cmocka_unit_test(test_suites_ssl2),
		cmocka_unit_test(test_encode_exact),
		cmocka_unit_test(test_encode_extensions),
		cmocka_unit_test(test_encode_host),
		cmocka_unit_test(test_encode_padding),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_encode_ssl2),
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_parse_real_tls12),
		cmocka_unit_test(test_parse_real_tls10_rc4),
		cmocka_unit_test(test_parse_sslv3),
		cmocka_unit_test(test_parse_fragmented),
		cmocka_unit_test(test_parse_next_message),
		cmocka_unit_test(test_parse_extensions),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_too_many_records),
		cmocka_unit_test(test_parse_alerts),
		cmocka_unit_test(test_parse_ssl2),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_parse_random),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
