<%@ page contentType="application/octet-stream" session="false" trimDirectiveWhitespaces="true" %><%
// ?size=N bytes with Content-Length: N set by the application, written in
// 8 KiB pieces (more than Tomcat buffers, so the length comes from the
// application, not from Tomcat measuring the body).
long size = Long.parseLong(request.getParameter("size"));
response.setContentLengthLong(size);
byte[] chunk = new byte[8192];
java.util.Arrays.fill(chunk, (byte) 'y');
java.io.OutputStream os = response.getOutputStream();
while (size > 0) {
    int n = (int) Math.min(size, chunk.length);
    os.write(chunk, 0, n);
    size -= n;
}
%>
