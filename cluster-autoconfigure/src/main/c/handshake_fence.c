/*
 * Native side of io.bootcluster.server.HandshakeFence: the JDK has no way to attach a
 * socket filter to a listener, nor to read how many connections wait in its accept queue.
 */
#include <errno.h>
#include <jni.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/* Offset of the flags byte in the TCP header, where a listener's filter starts reading */
#define TCP_FLAGS_OFFSET 13
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_ACK 0x10

/*
 * Drops every segment that opens a handshake (SYN without ACK) and keeps all others, so
 * handshakes already under way complete while new ones are retried by the client.
 */
JNIEXPORT jint JNICALL Java_io_bootcluster_server_HandshakeFence_dropNewHandshakes(JNIEnv *env, jclass type,
		jint fd) {
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, TCP_FLAGS_OFFSET),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, TCP_FLAG_SYN | TCP_FLAG_ACK),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TCP_FLAG_SYN, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	};
	struct sock_fprog program = { sizeof(code) / sizeof(code[0]), code };
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program)) == 0 ? 0 : errno;
}

/* For a listener, the kernel reports the length of its accept queue as tcpi_unacked */
JNIEXPORT jint JNICALL Java_io_bootcluster_server_HandshakeFence_acceptQueueLength(JNIEnv *env, jclass type,
		jint fd) {
	struct tcp_info info;
	socklen_t length = sizeof(info);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) {
		return -errno;
	}
	return (jint) info.tcpi_unacked;
}

/* The JDK's channels expose their descriptor only through an internal interface */
JNIEXPORT jint JNICALL Java_io_bootcluster_server_HandshakeFence_descriptor(JNIEnv *env, jclass type,
		jobject channel) {
	jclass channelType = (*env)->GetObjectClass(env, channel);
	jmethodID getter = (*env)->GetMethodID(env, channelType, "getFDVal", "()I");
	if (getter == NULL) {
		(*env)->ExceptionClear(env);
		return -1;
	}
	jint fd = (*env)->CallIntMethod(env, channel, getter);
	if ((*env)->ExceptionCheck(env)) {
		(*env)->ExceptionClear(env);
		return -1;
	}
	return fd;
}
