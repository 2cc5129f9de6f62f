// UriEcho.java -- what Tomcat made of the request path, for
// tests/integration/test_tomcat_uri.sh (compiled there into
// WEB-INF/classes; Tomcat finds it by its annotation).  Served at /uri/*.
import java.io.IOException;
import java.io.PrintWriter;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

@WebServlet("/uri/*")
public class UriEcho extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res)
            throws IOException {
        res.setContentType("text/plain; charset=UTF-8");
        PrintWriter out = res.getWriter();
        out.println("uri: " + req.getRequestURI());
        out.println("servlet_path: " + req.getServletPath());
        out.println("path_info: " + req.getPathInfo());
        out.println("remote_user: " + req.getRemoteUser());
    }
}
