<%@ page contentType="text/plain; charset=UTF-8" %><%
// A counter kept in the HTTP session: shows stickiness and, with session
// replication, that a session survives its Tomcat being stopped.
Integer count = (Integer) session.getAttribute("count");
count = (count == null) ? 1 : count + 1;
session.setAttribute("count", count);
String route = System.getProperty("ajplb.route", "?");
out.println("route: " + route);
out.println("session: " + session.getId());
out.println("count: " + count);
%>
