import { packageConfig } from '../../tsup.config.base';

// The query thread is its own entry: QueryServer loads dist/query-thread.js by URL.
export default packageConfig(['src/index.ts', 'src/query-thread.ts']);
