import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Lazy pages and whole test apps can take more than the default second to render on a loaded CI machine.
configure({ asyncUtilTimeout: 10_000 });
