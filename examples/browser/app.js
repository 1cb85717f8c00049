// An app on another origin than the gateway's, using Pixerve's upload page bundle:
//   1. the gateway serves the bundle (Pixerve:Gateway:UploadPage on) at /upload-page/upload.js and upload.css;
//   2. the gateway lets this origin call it (Pixerve:Cors:AllowedOrigins lists it): the tus requests to /uploads,
//      the Pixerve-* headers of their answers and /events all cross origins;
//   3. PixerveUpload.mount(element, {gateway, token}) draws the same uploader as the gateway's own page.
// Serve this folder from any static server (python3 -m http.server 5173) and open it with ?gateway=<gateway URL>;
// ?token=<job token> prefills the token (an app would get one from its own backend, which mints job tokens).
(() => {
  const params = new URLSearchParams(location.search);
  const gateway = (params.get('gateway') || 'http://localhost:8080').replace(/\/+$/, '');
  const field = document.getElementById('gateway');
  const status = document.getElementById('connection');
  field.value = gateway;

  document.getElementById('settings').addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URL(location.href);
    next.searchParams.set('gateway', field.value.trim());
    location.assign(next);
  });

  const load = (tag, attributes) => new Promise((resolve, reject) => {
    const node = Object.assign(document.createElement(tag), attributes);
    node.addEventListener('load', resolve);
    node.addEventListener('error', () => reject(new Error(`could not load ${attributes.src ?? attributes.href}`)));
    document.head.append(node);
  });

  status.textContent = `loading the uploader from ${gateway}…`;
  Promise.all([
    load('link', { rel: 'stylesheet', href: `${gateway}/upload-page/upload.css` }),
    load('script', { src: `${gateway}/upload-page/upload.js` }),
  ]).then(() => {
    window.PixerveUpload.mount(document.getElementById('uploader'), { gateway, token: params.get('token') ?? '' });
    status.textContent = `connected to ${gateway}`;
    status.dataset.state = 'ready';
  }).catch((error) => {
    status.textContent = `${error.message}: is the gateway running with Pixerve:Gateway:UploadPage on?`;
    status.dataset.state = 'error';
  });
})();
