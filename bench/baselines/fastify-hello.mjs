// Reference (not a target baseline): a bare Fastify hello-world answering every path, the
// framework's own ceiling on this machine. PORT from the env.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.all('*', async () => ({ hello: 'world' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
