<%@ page contentType="text/html; charset=UTF-8" %><!DOCTYPE html>
<html><head><title>mod_ajplb demo</title></head>
<body>
<h1>Hello from Tomcat, through mod_ajplb</h1>
<p>Served by the Tomcat whose jvmRoute is <b><%= System.getProperty("ajplb.route", "?") %></b>,
session <code><%= session.getId() %></code>.</p>
<p>Your address as Tomcat sees it: <%= request.getRemoteAddr() %>:<%= request.getRemotePort() %></p>
</body></html>
