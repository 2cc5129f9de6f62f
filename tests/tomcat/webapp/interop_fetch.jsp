<%@ page contentType="text/plain; charset=UTF-8" session="false" trimDirectiveWhitespaces="true" %><%
// interop_fetch.jsp -- hands the driver of tests/interop/ what
// interop_dump.jsp saw for ?id=X (and forgets it); "none" if it never ran.
Object v = System.getProperties().remove("interop." + request.getParameter("id"));
out.write(v == null ? "none\n" : v.toString());
%>
