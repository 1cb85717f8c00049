/** The Pixerve client: java.net.http only, so an application on the module path needs nothing else. */
module com.pixerve.client {
    requires transitive java.net.http; // PixerveClient(URI, HttpClient) takes one
    exports com.pixerve.client;
}
