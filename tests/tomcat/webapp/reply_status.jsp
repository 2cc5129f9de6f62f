<%@ page contentType="text/plain; charset=UTF-8" session="false" trimDirectiveWhitespaces="true" %><%
// ?code=N answers with status N and a one-line body; with &empty=1 the
// body is empty and announced as such (Content-Length: 0), as a REST
// endpoint answering 404/500/503 without a page would.
int code = Integer.parseInt(request.getParameter("code"));
response.setStatus(code);
if (request.getParameter("empty") != null) {
    response.setContentLength(0);
} else {
    out.print("application body for " + code + "\n");
}
%>
