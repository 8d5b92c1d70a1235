import { packageConfig } from '../../tsup.config.base';

// The write thread is its own entry: the saver loads dist/write-thread.js by URL.
export default packageConfig(['src/index.ts', 'src/write-thread.ts']);
