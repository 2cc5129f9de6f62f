<%-- isErrorPage: Jasper then skips its GET/POST/HEAD-only check, so PUT reaches this page too. --%>
<%@ page contentType="text/plain; charset=UTF-8" session="false" isErrorPage="true" %><%
// What the servlet container sees of the request, one "key: value" line
// each, plus the length and FNV-1a 64 hash of the body it read.
java.io.InputStream in = request.getInputStream();
byte[] buf = new byte[65536];
long n = 0, h = 0xcbf29ce484222325L;
int r;
while ((r = in.read(buf)) > 0) {
    for (int i = 0; i < r; i++) {
        h ^= (buf[i] & 0xff);
        h *= 0x100000001b3L;
    }
    n += r;
}
out.println("method: " + request.getMethod());
out.println("uri: " + request.getRequestURI());
out.println("query: " + request.getQueryString());
out.println("remote_addr: " + request.getRemoteAddr());
out.println("remote_port: " + request.getRemotePort());
out.println("local_addr: " + request.getLocalAddr());
out.println("server_name: " + request.getServerName());
out.println("server_port: " + request.getServerPort());
out.println("secure: " + request.isSecure());
out.println("scheme: " + request.getScheme());
out.println("cipher: " + request.getAttribute("jakarta.servlet.request.cipher_suite"));
out.println("key_size: " + request.getAttribute("jakarta.servlet.request.key_size"));
out.println("ssl_session: " + (request.getAttribute("jakarta.servlet.request.ssl_session_id") != null));
out.println("remote_user: " + request.getRemoteUser());
Object certs = request.getAttribute("jakarta.servlet.request.X509Certificate");
out.println("client_cert: " + (certs instanceof java.security.cert.X509Certificate[]
    ? ((java.security.cert.X509Certificate[]) certs)[0].getSubjectX500Principal().getName() : "null"));
out.println("body_length: " + n);
out.println("body_fnv1a64: " + String.format("%016x", h));
%>
