import { createTestApp } from '../support/app.js';
const t = await createTestApp('embedded');
console.log(t.app.printRoutes({ commonPrefix: false }));
console.log(t.app.printRoutes({ commonPrefix: false, method: 'GET' }));
const r = await t.app.inject({ method: 'GET', url: '/docs' });
console.log(r.statusCode, r.body.slice(0, 200));
await t.close();
