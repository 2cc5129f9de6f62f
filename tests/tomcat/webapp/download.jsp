<%@ page contentType="application/octet-stream" session="false" trimDirectiveWhitespaces="true" %><%
// Streams ?size=N bytes without holding them: for the big download test.
long size = Long.parseLong(request.getParameter("size"));
byte[] chunk = new byte[65536];
java.util.Arrays.fill(chunk, (byte) 'x');
java.io.OutputStream os = response.getOutputStream();
while (size > 0) {
    int n = (int) Math.min(size, chunk.length);
    os.write(chunk, 0, n);
    size -= n;
}
os.flush();
%>
