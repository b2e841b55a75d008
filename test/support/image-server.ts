import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ImageServer {
  server: Server;
  url: (path: string) => string;
}

/**
 * A real HTTP server on 127.0.0.1 serving images for image_url: /leaf.png (the given PNG
 * under a lying Content-Type), /redirect (to /leaf.png), /loop (redirects to itself),
 * /text (not an image), /big (the PNG plus 300 KB); anything else is 404.
 */
export async function imageServer(png: Buffer): Promise<ImageServer> {
  const server = createServer((req, res) => {
    if (req.url === '/leaf.png') {
      // A lying Content-Type: the API judges by magic bytes.
      res.writeHead(200, { 'content-type': 'text/plain' }).end(png);
    } else if (req.url === '/redirect') {
      res.writeHead(302, { location: '/leaf.png' }).end();
    } else if (req.url === '/loop') {
      res.writeHead(302, { location: '/loop' }).end();
    } else if (req.url === '/text') {
      res.writeHead(200, { 'content-type': 'image/png' }).end('not an image');
    } else if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.concat([png, Buffer.alloc(300 * 1024)]));
    } else {
      res.writeHead(404).end('no');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: (path) => `http://127.0.0.1:${port}${path}` };
}
