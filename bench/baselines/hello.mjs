// Baseline 1: a bare node:http hello-world (no framework, no database). PORT from the env.
import http from 'node:http';

const body = Buffer.from(JSON.stringify({ hello: 'world' }));
http
  .createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
