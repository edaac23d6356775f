import { configSchema } from '../experiments/schema.js';
const d = (s: any) => s._zod.def;
console.log(d(configSchema).type, Object.keys(d(configSchema).shape));
const b = d(configSchema).shape.bidders; console.log(d(b).type, d(d(b).element).type);
const ag = d(d(b).element).shape.agent; console.log(d(ag).type, d(ag).options.length, d(ag).discriminator);
const ex = d(configSchema).shape.exchange; console.log(d(ex).type, d(d(ex).shape.reservePrice).type, d(d(d(ex).shape.reservePrice).innerType).type);
const users = d(configSchema).shape.users; console.log(d(users).type, d(d(users).innerType).type);
const val = d(d(b).element).shape.value; console.log(d(val).type, d(val).options.map((o:any)=>d(o).type));
const sw = d(configSchema).shape.sweep; console.log(d(d(sw).innerType).type);
