<%@ page contentType="text/plain; charset=UTF-8" session="false" trimDirectiveWhitespaces="true" %><%
// The cookies the servlet container parsed, "name=value" each, in order,
// separated by spaces.
StringBuilder sb = new StringBuilder();
jakarta.servlet.http.Cookie[] cs = request.getCookies();
if (cs != null) {
    for (jakarta.servlet.http.Cookie c : cs) {
        if (sb.length() > 0) sb.append(' ');
        sb.append(c.getName()).append('=').append(c.getValue());
    }
}
out.print("cookies: " + sb + "\n");
%>
