<%@ page contentType="text/plain; charset=UTF-8" session="false" isErrorPage="true" trimDirectiveWhitespaces="true" import="java.util.*,java.security.MessageDigest" %><%
// interop_dump.jsp -- the differential test's servlet (tests/interop/): it
// writes everything the servlet API sees of the request as sorted
// "key<TAB>value" lines and keeps that text in a JVM-wide store under the
// X-Interop-Id header, so the driver can fetch it later through Tomcat's own
// HTTP port (interop_fetch.jsp) even for HEAD requests.  isErrorPage lets
// every method through Jasper.  Query parameters then choose the answer:
//   status=N  error=N (sendError)  redirect=URL (sendRedirect)
//   location=URL  cookie=NAME=VALUE (repeatable)  hdr=NAME:VALUE (repeatable)
//   ct=TYPE|none  size=N (body bytes)  cl=1 (setContentLengthLong)
//   flush=1 (flush before the body)  empty=1 (no body)  session=new
//   form=1 (read parameters before the body, so a form body is parsed)
TreeMap<String, String> d = new TreeMap<>();
if ("1".equals(request.getParameter("form"))) {
    d.put("form.params", String.valueOf(request.getParameterMap().size()));
}
MessageDigest md = MessageDigest.getInstance("SHA-256");
java.io.InputStream in = request.getInputStream();
byte[] buf = new byte[65536];
long n = 0;
int r;
while ((r = in.read(buf)) > 0) {
    md.update(buf, 0, r);
    n += r;
}
StringBuilder hex = new StringBuilder();
for (byte b : md.digest()) {
    hex.append(String.format("%02x", b & 0xff));
}
d.put("body.length", String.valueOf(n));
d.put("body.sha256", hex.toString());
d.put("method", request.getMethod());
d.put("requestURI", request.getRequestURI());
d.put("requestURL", String.valueOf(request.getRequestURL()));
d.put("queryString", String.valueOf(request.getQueryString()));
d.put("servletPath", request.getServletPath());
d.put("pathInfo", String.valueOf(request.getPathInfo()));
d.put("contextPath", request.getContextPath());
d.put("protocol", request.getProtocol());
d.put("scheme", request.getScheme());
d.put("secure", String.valueOf(request.isSecure()));
d.put("serverName", request.getServerName());
d.put("serverPort", String.valueOf(request.getServerPort()));
d.put("remoteAddr", request.getRemoteAddr());
d.put("remoteHost", request.getRemoteHost());
d.put("localAddr", request.getLocalAddr());
d.put("localName", request.getLocalName());
d.put("localPort", String.valueOf(request.getLocalPort()));
d.put("contentType", String.valueOf(request.getContentType()));
d.put("contentLength", String.valueOf(request.getContentLengthLong()));
d.put("characterEncoding", String.valueOf(request.getCharacterEncoding()));
d.put("authType", String.valueOf(request.getAuthType()));
d.put("remoteUser", String.valueOf(request.getRemoteUser()));
d.put("session.requestedId", String.valueOf(request.getRequestedSessionId()));
d.put("session.fromCookie", String.valueOf(request.isRequestedSessionIdFromCookie()));
d.put("session.fromURL", String.valueOf(request.isRequestedSessionIdFromURL()));
d.put("session.valid", String.valueOf(request.isRequestedSessionIdValid()));
List<String> names = Collections.list(request.getHeaderNames());
Collections.sort(names, String.CASE_INSENSITIVE_ORDER);
d.put("headerNames", String.join(" | ", names));
for (String h : names) {
    d.put("header." + h.toLowerCase(Locale.ROOT),
          String.join(" | ", Collections.list(request.getHeaders(h))));
}
StringBuilder cs = new StringBuilder();
jakarta.servlet.http.Cookie[] cookies = request.getCookies();
if (cookies != null) {
    for (jakarta.servlet.http.Cookie c : cookies) {
        cs.append(cs.length() > 0 ? " | " : "").append(c.getName())
          .append('=').append(c.getValue());
    }
}
d.put("cookies", cookies == null ? "null" : cs.toString());
for (Map.Entry<String, String[]> e : request.getParameterMap().entrySet()) {
    d.put("param." + e.getKey(), String.join(" | ", e.getValue()));
}
List<String> attrs = Collections.list(request.getAttributeNames());
Collections.sort(attrs);
d.put("attributeNames", String.join(" | ", attrs));
for (String a : attrs) {
    Object v = request.getAttribute(a);
    String s;
    if (v instanceof java.security.cert.X509Certificate[]) {
        java.security.cert.X509Certificate[] x = (java.security.cert.X509Certificate[]) v;
        s = "X509[" + x.length + "]" + (x.length > 0
            ? " " + x[0].getSubjectX500Principal().getName() : "");
    } else if (a.endsWith("ssl_session_id")) {
        s = v == null ? "null" : "present";
    } else {
        s = String.valueOf(v);
    }
    d.put("attr." + a, s);
}
String xid = request.getHeader("X-Interop-Id");
StringBuilder text = new StringBuilder();
for (Map.Entry<String, String> e : d.entrySet()) {
    text.append(e.getKey()).append('\t')
        .append(e.getValue().replace("\n", "\\n").replace("\r", "\\r"))
        .append('\n');
}
if (xid != null) {
    System.getProperties().put("interop." + xid, text.toString());
}

// The answer the query asks for.
if ("new".equals(request.getParameter("session"))) {
    request.getSession(true);
}
String[] hs = request.getParameterValues("hdr");
if (hs != null) {
    for (String h : hs) {
        int i = h.indexOf(':');
        response.addHeader(h.substring(0, i), h.substring(i + 1));
    }
}
String[] ck = request.getParameterValues("cookie");
if (ck != null) {
    for (String c : ck) {
        response.addHeader("Set-Cookie", c + "; Path=/");
    }
}
String ct = request.getParameter("ct");
if ("none".equals(ct)) {
    response.setContentType(null);
    response.setCharacterEncoding(null);
} else if (ct != null) {
    response.setContentType(ct);
}
if (request.getParameter("location") != null) {
    response.setHeader("Location", request.getParameter("location"));
}
if (request.getParameter("status") != null) {
    response.setStatus(Integer.parseInt(request.getParameter("status")));
}
if (request.getParameter("redirect") != null) {
    response.sendRedirect(request.getParameter("redirect"));
    return;
}
if (request.getParameter("error") != null) {
    response.sendError(Integer.parseInt(request.getParameter("error")));
    return;
}
if ("1".equals(request.getParameter("empty"))) {
    return;
}
if (request.getParameter("size") != null) {
    int size = Integer.parseInt(request.getParameter("size"));
    if ("1".equals(request.getParameter("cl"))) {
        response.setContentLengthLong(size);
    }
    if ("1".equals(request.getParameter("flush"))) {
        out.flush();
    }
    char[] chunk = new char[4096];
    for (int i = 0; i < chunk.length; i++) {
        chunk[i] = (char) ('a' + i % 26);
    }
    while (size > 0) {
        int k = Math.min(size, chunk.length);
        out.write(chunk, 0, k);
        size -= k;
    }
    return;
}
out.write("dumped\n");
%>
