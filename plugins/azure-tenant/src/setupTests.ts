import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Lazy pages, whole test apps and typed input can take several seconds on a loaded 2-core CI machine.
configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(30_000);
